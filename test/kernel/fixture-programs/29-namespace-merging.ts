// A namespace declared in two statements merges; the second sees the first's exports.
namespace Config {
  export const name = "cfg";
  export function describe() { return `${name}!`; }
}
console.log(Config.describe());
namespace Config {
  export const version = 2;
  export function both() { return `${Config.name} v${version}`; }
}
console.log(Config.both(), Config.describe(), Object.keys(Config).sort());
