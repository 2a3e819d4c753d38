import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "sdk/", "api/", "coverage/", "dist/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
    },
  },
  { files: ["bin/**/*.mjs", "scripts/**/*.mjs", "bench/**/*.mjs"], languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } } },
  // The layer worker's modules (plain JavaScript, run in a worker thread): Node's globals.
  { files: ["src/**/*.mjs"], languageOptions: { globals: { process: "readonly", Buffer: "readonly", AbortController: "readonly" } } },
);
