// A custom error class from an earlier statement ends the program.
class StageFailed extends Error {
  constructor(readonly stage: string) { super(`stage ${stage} failed`); this.name = "StageFailed"; }
}
const stages = ["Validation", "Training"];
console.log(stages.join(" -> "));
for (const s of stages) if (s === "Training") throw new StageFailed(s);
