// Template literals and a tag function defined in an earlier statement.
const unit = "px";
function css(strings: TemplateStringsArray, ...values: unknown[]) {
  return strings.raw.map((s, i) => s + (i < values.length ? `[${String(values[i])}]` : "")).join("");
}
const size = 12;
console.log(css`width: ${size}${unit}; height: ${size * 2}${unit}\n`);
console.log(`multi
line ${unit}`, String.raw`a\tb${1 + 1}`);
