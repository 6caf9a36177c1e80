// An async function from an earlier statement rejects; the awaited rejection ends the program.
async function fetchScene(name: string): Promise<string> {
  await new Promise((r) => setTimeout(r, 1));
  if (name === "missing") throw new Error(`scene ${name} not found`);
  return `scene:${name}`;
}
console.log(await fetchScene("lobby"));
const results = await Promise.all([fetchScene("a"), fetchScene("b")]);
console.log(results);
await fetchScene("missing");
console.log("never");
