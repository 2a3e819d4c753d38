/** A `describe` for tests that need the local Docker engine (kept apart so scripts can use ./docker.ts). */
import { describe } from "vitest";
import { DOCKER, dockerAvailable } from "./docker.js";

/**
 * Without an engine these tests are skipped with a visible message, except in CI (CI=true), where a
 * missing engine fails the run.
 */
export function describeWithDocker(name: string, body: () => void): void {
  if (dockerAvailable) {
    describe(name, body);
    return;
  }
  if (process.env.CI === "true") throw new Error(`${name}: no Docker engine answers through ${DOCKER}, and CI=true requires one`);
  console.warn(`SKIPPED ${name}: no Docker engine answers through ${DOCKER} (start dockerd to run these tests)`);
  describe.skip(name, body);
}
