/**
 * Build secrets through the module on a real engine: `--build-secret env://NAME` matched to verify.yaml's
 * ids, handed to the build as Dagger Secrets, and searched for in the image. A copy of a corpus fixture is the
 * source; its values come from the corpus harness (seeded, made at run time), through this process's env.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { CORPUS_SECRET_ENV } from "../corpus/harness.js";
import { callError, daggerCli, type DaggerResult } from "../support/dagger.js";
import { brokenSources, ROOT, type BrokenSources } from "../support/dagger-sources.js";
import { describeWithDagger } from "../support/describe-dagger.js";

const CALL_MS = 600_000;
const STRIPE_ENV = "IMAGE_VERIFY_CORPUS_STRIPE_KEY";
const call = (args: string[]): Promise<DaggerResult> => daggerCli(["call", ...args], { cwd: ROOT, timeoutMs: CALL_MS });

describeWithDagger("build secrets through the dagger CLI (module mode)", () => {
  let broken: BrokenSources;
  const values = () => [process.env[STRIPE_ENV] as string, process.env[CORPUS_SECRET_ENV] as string];

  beforeAll(async () => {
    broken = await brokenSources();
  }, 900_000);

  afterAll(async () => {
    await broken?.cleanup();
  });

  it("a build secret baked into a .pyc fails build-secret-not-leaked, and its value is printed nowhere", async () => {
    const r = await call(["--source", await broken.source("build-secret-pyc"), "--build-secret", `env://${STRIPE_ENV}`, "verify"]);
    expect(r.code).not.toBe(0);
    expect(callError(r)).toMatch(/^image\/Dockerfile: \d+ passed, 2 failed/);
    expect(r.stderr).toMatch(/^FAIL build-secret-not-leaked \(critical\): build secret\(s\) "stripe-key" found in the image/m);
    expect(r.stderr).toMatch(/^FAIL no-secrets \(critical\): /m);
    expect(r.stderr).toContain("app/vendor/keys.pyc:");
    for (const value of values()) expect(r.stdout + r.stderr).not.toContain(value);
  }, CALL_MS);

  it("a build secret used and left nowhere passes, with the secret searched for", async () => {
    const r = await call(["--source", await broken.source("build-secret-used-clean"), "--build-secret", `env://${CORPUS_SECRET_ENV}`, "verify", "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const canary = JSON.parse(r.stdout).results.find((c: { id: string }) => c.id === "build-secret-not-leaked");
    expect(canary).toMatchObject({ verdict: "pass", summary: 'no trace of build secret(s) "corpus-token" in any layer or in the image config' });
    for (const value of values()) expect(r.stdout + r.stderr).not.toContain(value);
  }, CALL_MS);

  it("a declared secret not given, or a given one no id matches, is a one-line error", async () => {
    const source = await broken.source("build-secret-pyc");
    const [missing, stray] = await Promise.all([
      call(["--source", source, "verify"]),
      call(["--source", source, "--build-secret", `env://${STRIPE_ENV}`, "--build-secret", `env://${CORPUS_SECRET_ENV}`, "verify"]),
    ]);
    expect(callError(missing)).toBe(`build secret "stripe-key" (verify.yaml buildSecrets: env:${STRIPE_ENV}) was not given: add --build-secret env://${STRIPE_ENV}`);
    expect(callError(stray)).toMatch(new RegExp(`^--build-secret env://${CORPUS_SECRET_ENV}: no id for it: declare it in verify.yaml buildSecrets`));
    for (const r of [missing, stray]) expect(r.stderr).not.toMatch(/\n\s+at |node:internal|\.ts:\d+:\d+/);
  }, CALL_MS);
});
