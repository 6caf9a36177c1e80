// Legacy (experimentalDecorators) decorators: factories defined before the classes they decorate.
const log: string[] = [];
function tag(name: string) {
  return (target: Function) => { log.push(`class ${name} ${target.name}`); };
}
function traced(target: object, key: string, desc: PropertyDescriptor) {
  const inner = desc.value as (...a: unknown[]) => unknown;
  desc.value = function (this: unknown, ...args: unknown[]) { log.push(`call ${key}`); return inner.apply(this, args); };
}
@tag("job")
class Job {
  @traced run(x: number) { return x * 2; }
}
console.log(new Job().run(21));
console.log(log);
