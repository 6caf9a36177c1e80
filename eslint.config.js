import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "lib/",
      ".venv/",
      "labextension/node_modules/",
      "labextension/lib/",
      "labextension/splatbook_labextension/",
      "labextension/webpack.config.cjs",
      "**/*.d.ts",
      // Notebook programs of the differential cell test: scripts, kept as users write them.
      "test/kernel/fixture-programs/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: "readonly", console: "readonly", Buffer: "readonly", URL: "readonly" },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
);
