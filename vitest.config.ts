import { defineConfig } from "vitest/config";

// Image tests build and run real containers: give them room, and run files in parallel only as far
// as two cores and one Docker engine allow.
export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 900_000,
    maxWorkers: 2,
    reporters: ["default"],
  },
});
