// Recursion through a memo table filled across statements; mutual recursion in one statement.
const memo = new Map<number, bigint>();
function fib(n: number): bigint {
  if (n < 2) return BigInt(n);
  const hit = memo.get(n);
  if (hit !== undefined) return hit;
  const v = fib(n - 1) + fib(n - 2);
  memo.set(n, v);
  return v;
}
console.log(fib(90), memo.size);
const isEven = (n: number): boolean => n === 0 || isOdd(n - 1),
  isOdd = (n: number): boolean => n !== 0 && isEven(n - 1);
console.log(isEven(10), isOdd(7));
