// Errors thrown by functions from earlier statements, caught by later ones.
class ValidationError extends Error {
  override name = "ValidationError";
  constructor(readonly file: string, cause: string) { super(`${file}: ${cause}`); }
}
function validate(file: string) {
  if (!file.endsWith(".mp4")) throw new ValidationError(file, "not a video");
  return file;
}
const results: string[] = [];
for (const f of ["a.mp4", "b.txt"]) {
  try { results.push(validate(f)); } catch (e) {
    if (e instanceof ValidationError) results.push(`${e.name} ${e.message} ${e.file}`);
    else throw e;
  }
}
console.log(results);
try { null!.toString(); } catch (e) { console.log((e as Error).constructor.name); }
