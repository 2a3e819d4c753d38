/** A `describe` for tests that need a Dagger engine (kept apart so the benchmark can use ./dagger.ts). */
import { describe } from "vitest";
import { probeDagger } from "./dagger.js";

const probed = probeDagger();
export const daggerAvailable = probed.ok;

/**
 * Without an engine these tests are skipped with a visible line, except in CI (CI=true), where a
 * missing engine fails the run.
 */
export function describeWithDagger(name: string, body: () => void): void {
  if (daggerAvailable) {
    describe(name, body);
    return;
  }
  const why = `${probed.why} (start one: ../shared/dagger-engine/up, then . /var/lib/dagger-engine-kit/env.sh)`;
  if (process.env.CI === "true") throw new Error(`${name}: no Dagger engine answers, and CI=true requires one: ${why}`);
  console.warn(`SKIPPED ${name}: no Dagger engine answers: ${why}`);
  describe.skip(name, body);
}
