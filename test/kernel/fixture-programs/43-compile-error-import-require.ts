// `import x = require()` is not valid in an ES module: refused split or not.
const before = 1;
import fs = require("node:fs");
console.log(before, fs.existsSync("/"));
