import { resolve } from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // The lab extension's names for the root package's contracts and payload views (see
    // labextension/tsconfig.json and webpack.config.cjs); tests use the sources.
    // Lumino and three.js come from the extension's own node_modules, for its tests and sources alike.
    alias: [
      {
        find: "@splatbook/contracts",
        replacement: resolve(import.meta.dirname, "src/contracts/index.ts"),
      },
      {
        find: "@splatbook/views",
        replacement: resolve(import.meta.dirname, "src/notebook/views.ts"),
      },
      {
        find: /^three$/,
        replacement: resolve(
          import.meta.dirname,
          "labextension/node_modules/three/build/three.module.js",
        ),
      },
      {
        find: /^@lumino\/(.*)$/,
        replacement: resolve(import.meta.dirname, "labextension/node_modules/@lumino/$1"),
      },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Two cores: end-to-end tests spawn ffmpeg/COLMAP/Dawn, so keep file-level parallelism low.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
