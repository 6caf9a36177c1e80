import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Two cores: end-to-end tests spawn ffmpeg/COLMAP/Dawn, so keep file-level parallelism low.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
