// Node built-ins imported in every form, used in later statements.
import { join, basename } from "node:path";
import * as os from "node:os";
import fs from "node:fs";
import { createHash } from "node:crypto";
import { EventEmitter } from "node:events";
console.log(join("a", "b"), basename("/x/y.png"));
console.log(typeof os.cpus, fs.existsSync("/"));
console.log(createHash("sha256").update("splat").digest("hex").slice(0, 12));
const bus = new EventEmitter();
bus.on("tick", (n: number) => console.log("tick", n));
bus.emit("tick", 3);
