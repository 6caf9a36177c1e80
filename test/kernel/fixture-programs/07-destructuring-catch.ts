// Destructuring the caught value, with renaming.
class StageError extends Error {
  constructor(message: string, readonly stage: string, readonly code = 2) { super(message); }
}
function failing(): never { throw new StageError("no frames", "FrameExtraction"); }
try { failing(); } catch (err) {
  const { message: msg, stage: where, code } = err as StageError;
  console.log(msg, where, code);
}
try { JSON.parse("{"); } catch ({ name: kind }) { console.log(kind); }
