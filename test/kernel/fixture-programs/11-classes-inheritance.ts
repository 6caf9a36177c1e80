// A class hierarchy built statement by statement: overrides, super calls, instanceof.
class Stage {
  constructor(readonly name: string) {}
  run(): string { return `${this.name}: run`; }
  toString() { return `Stage(${this.name})`; }
}
class Extraction extends Stage {
  constructor(readonly fps: number) { super("extract"); }
  override run() { return `${super.run()} at ${this.fps} fps`; }
}
class FastExtraction extends Extraction {
  override run() { return super.run().toUpperCase(); }
}
const stages: Stage[] = [new Stage("validate"), new Extraction(2), new FastExtraction(5)];
for (const s of stages) console.log(s.run(), String(s), s instanceof Extraction);
console.log(Object.getPrototypeOf(FastExtraction) === Extraction, FastExtraction.name);
