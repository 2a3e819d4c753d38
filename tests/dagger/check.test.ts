/**
 * `dagger check`, as CI runners and the pre-push hook run it: the module's three checks (verify,
 * test-integration, lint) listed and passing on this repository, and verify failing, naming the failed
 * checks, in a copy of the module whose verify.yaml points at a broken corpus fixture.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { daggerCli } from "../support/dagger.js";
import { brokenSources, ROOT, type BrokenSources } from "../support/dagger-sources.js";
import { describeWithDagger } from "../support/describe-dagger.js";

/** `dagger check` runs all three; test-integration and lint start containers of their own. */
const CHECK_MS = 900_000;
const CHECKS = ["prod-image-verify:lint", "prod-image-verify:test-integration", "prod-image-verify:verify"];

describeWithDagger("dagger check (module mode)", () => {
  let broken: BrokenSources;

  beforeAll(async () => {
    broken = await brokenSources();
  }, 900_000);

  afterAll(async () => {
    await broken?.cleanup();
  });

  it("lists the three checks, each with its description", async () => {
    const r = await daggerCli(["check", "-l"], { cwd: ROOT, timeoutMs: CHECK_MS });
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.split("\n").filter((line) => line.startsWith("prod-image-verify:"));
    expect(rows.map((row) => row.split(/\s+/)[0]).sort()).toEqual(CHECKS);
    for (const row of rows) expect(row.split(/\s{2,}/)[1], row).toMatch(/\w+.*[.)]$/);
  }, CHECK_MS);

  it("passes on this repository", async () => {
    const r = await daggerCli(["check"], { cwd: ROOT, timeoutMs: CHECK_MS });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  }, CHECK_MS);

  it("fails verify in a copy whose verify.yaml points at a broken image, naming each failed check, then the report", async () => {
    const copy = await broken.source("root-user-0", { withModule: true });
    const r = await daggerCli(["check", "verify"], { cwd: copy, timeoutMs: CHECK_MS });
    const output = `${r.stdout}\n${r.stderr}`;
    expect(r.code, output).not.toBe(0);
    expect(output).toMatch(/image\/Dockerfile: 15 passed, 2 failed, 0 warnings, 1 skipped/);
    expect(output).toMatch(/^FAIL non-root \(high\): USER "0" is root \(uid 0\)$/m);
    expect(output).toMatch(/^FAIL runtime-uid \(high\): /m);
    expect(output).toMatch(/^PASS {2}health-endpoint /m);
  }, CHECK_MS);
});
