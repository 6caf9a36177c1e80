// Calling an earlier statement's value that is not a function: the error names it as written.
let callback: (() => void) | undefined;
const registry = { handlers: [] as (() => void)[] };
console.log(registry.handlers.length);
callback!();
