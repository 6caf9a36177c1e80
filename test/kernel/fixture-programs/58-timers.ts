// Timers and deferred callbacks: a callback registered early sees later assignments. (The event
// loop turns between cells, so what a callback sees is made not to depend on timing.)
const log: string[] = [];
let phase = "init";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let release!: () => void;
const gate = new Promise<void>((r) => (release = r));
const pending = gate.then(() => sleep(1)).then(() => log.push(`callback saw ${phase}`));
phase = "running";
release();
await pending;
console.log(log);
const interval = setInterval(() => log.push("tick"), 1);
await sleep(15);
clearInterval(interval);
console.log(log.length > 1, log[0]);
