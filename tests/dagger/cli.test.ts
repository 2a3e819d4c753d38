/**
 * Module mode: this repository's Dagger module through the real `dagger` CLI, as users and CI run it,
 * on a real engine, with no build-arg overrides (the engine pulls the public names; in CI the kit's
 * mirror serves them). Each function once, the bad arguments, and what each prints.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { callError, DAGGER, daggerCli, type DaggerResult } from "../support/dagger.js";
import { describeWithDagger } from "../support/describe-dagger.js";
import { brokenSources, ROOT, type BrokenSources } from "../support/dagger-sources.js";

/** A first call compiles the module's runtime and builds the image: minutes on a cold engine. */
const FIRST_CALL_MS = 900_000;
const CALL_MS = 300_000;
/** A test makes a few calls, concurrently where it can; on a busy engine each may take up to CALL_MS. */
const TEST_MS = 2 * CALL_MS;
const FUNCTIONS = [
  "build", "serve", "probe-health", "stop-gracefully", "export-layers", "scan-secrets",
  "verify", "verify-reports", "verify-container", "verify-image", "verify-tarball", "test-integration", "lint",
];

const call = (args: string[], timeoutMs = CALL_MS, cwd = ROOT): Promise<DaggerResult> => daggerCli(["call", ...args], { cwd, timeoutMs });

/** A failed call ends with the project's one-line message: no stack trace, no source position. */
function expectOneLineError(result: DaggerResult, message: RegExp): void {
  expect(result.code, result.stderr).not.toBe(0);
  expect(callError(result)).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at |node:internal|\.ts:\d+:\d+/);
}

describeWithDagger("the Dagger module through the dagger CLI (module mode)", () => {
  let broken: BrokenSources;
  const temps: string[] = [];

  beforeAll(async () => {
    // Warm the module: the first call loads it (npm install, runtime) and builds the image.
    const first = await call(["verify", "--format", "json"], FIRST_CALL_MS);
    expect(first.code, first.stderr).toBe(0);
    broken = await brokenSources();
  }, FIRST_CALL_MS + 600_000);

  afterAll(async () => {
    await broken?.cleanup();
    await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it("lists every function", async () => {
    const r = await daggerCli(["functions"], { cwd: ROOT, timeoutMs: CALL_MS });
    expect(r.code, r.stderr).toBe(0);
    const names = r.stdout.split("\n").map((line) => line.trim().split(/\s+/)[0]);
    for (const name of FUNCTIONS) expect(names).toContain(name);
  }, TEST_MS);

  it("verify passes every check, in each of the four formats", async () => {
    const [table, json, junit, sarif] = await Promise.all(
      ["table", "json", "junit", "sarif"].map((format) => call(["verify", "--format", format])),
    );
    for (const r of [table, json, junit, sarif]) expect(r.code, r.stderr).toBe(0);
    expect(table.stdout).toMatch(/^image-verify: api\/Dockerfile\.prod:runtime \(runtime: dagger, /);
    expect(table.stdout).toContain("17 passed, 0 failed, 0 warnings, 1 skipped");
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ passed: true, runtime: "dagger" });
    expect(report.results).toHaveLength(18);
    // All pass but the canary, which skips: this repository's image takes no build secret.
    const notPassed = report.results.filter((r: { verdict: string }) => r.verdict !== "pass").map((r: { id: string; verdict: string }) => `${r.id}: ${r.verdict}`);
    expect(notPassed).toEqual(["build-secret-not-leaked: skip"]);
    expect(junit.stdout).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>/);
    expect(junit.stdout).toMatch(/<testsuite [^>]*tests="18"[^>]*failures="0"/);
    const log = JSON.parse(sarif.stdout);
    expect(log.version).toBe("2.1.0");
    expect(log.runs[0].tool.driver.rules.length).toBe(18);
    expect(log.runs[0].results).toEqual([]);
  }, TEST_MS);

  it("verify on a broken context fails, names the failed check and prints the report", async () => {
    const r = await call(["--source", await broken.source("root-user-0"), "verify"]);
    expect(r.code).not.toBe(0);
    // The error names each failed check first, then carries the whole report.
    expect(callError(r)).toBe("image/Dockerfile: 15 passed, 2 failed, 0 warnings, 1 skipped");
    expect(r.stderr).toMatch(/^FAIL non-root \(high\): USER "0" is root \(uid 0\)$/m);
    expect(r.stderr).toMatch(/^FAIL runtime-uid \(high\): /m);
    expect(r.stderr).toMatch(/^image-verify: image\/Dockerfile \(runtime: dagger, [\d.]+ s\)$/m);
    expect(r.stderr).toMatch(/^PASS {2}health-endpoint /m);
  }, TEST_MS);

  it("verify reads a requirements project (an -r include too) from the few files it copies out of the source", async () => {
    // Only the Dockerfile and the project's metadata leave the engine (src/module/local-copy.ts): this
    // layout needs requirements-dev.txt and the requirements.txt it includes.
    const r = await call(["--source", await broken.source("requirements-dev-installed"), "verify"]);
    expect(r.code).not.toBe(0);
    expect(callError(r)).toMatch(/^image\/Dockerfile: \d+ passed, 1 failed, /);
    expect(r.stderr).toMatch(/^FAIL no-dev-dependencies \(\w+\): .*pytest/m);
    expect(r.stderr).toContain("layout: requirements (requirements.txt");
  }, TEST_MS);

  it("verify-reports exports all four reports, each valid", async () => {
    const out = await mkdtemp(path.join(tmpdir(), "dagger-reports-"));
    temps.push(out);
    const r = await call(["verify-reports", "export", "--path", out]);
    expect(r.code, r.stderr).toBe(0);
    expect((await readdir(out)).sort()).toEqual(["report.json", "report.sarif", "report.txt", "report.xml"]);
    expect(JSON.parse(await readFile(path.join(out, "report.json"), "utf8"))).toMatchObject({ passed: true });
    expect(JSON.parse(await readFile(path.join(out, "report.sarif"), "utf8")).version).toBe("2.1.0");
    expect(await readFile(path.join(out, "report.xml"), "utf8")).toMatch(/<testsuites[^>]*>[\s\S]*<\/testsuites>\s*$/);
    expect(await readFile(path.join(out, "report.txt"), "utf8")).toContain("17 passed");
  }, TEST_MS);

  it("scan-secrets passes a clean image, and fails a planted secret without printing it", async () => {
    const clean = await call(["scan-secrets"]);
    expect(clean.code, clean.stderr).toBe(0);
    expect(JSON.parse(clean.stdout)).toEqual([]);
    const planted = await call(["--source", await broken.source("secret-aws-env"), "scan-secrets"]);
    expect(planted.code).not.toBe(0);
    expect(callError(planted)).toBe("1 secret(s) found in the image:");
    expect(planted.stderr).toContain("aws-access-key-id: image config Env/AWS_ACCESS_KEY_ID value AKIA");
    expect(planted.stdout + planted.stderr).not.toContain("AKIAQ3ZR7WTN5KXM2JHV");
  }, TEST_MS);

  it("probe-health reports 200; stop-gracefully sees PID 1 exit 0 on SIGTERM", async () => {
    const [health, stop] = await Promise.all([call(["probe-health"]), call(["stop-gracefully"])]);
    expect(health.code, health.stderr).toBe(0);
    expect(JSON.parse(health.stdout)).toMatchObject({ status: 200 });
    expect(stop.code, stop.stderr).toBe(0);
    expect(JSON.parse(stop.stdout)).toMatchObject({ nsPid: 1, exitCode: 0, signalSent: "SIGTERM", killed: false });
  }, TEST_MS);

  it("export-layers writes a tarball that image-verify inspect reads", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "dagger-layers-"));
    temps.push(dir);
    const tarball = path.join(dir, "image.tar");
    const r = await call(["export-layers", "export", "--path", tarball]);
    expect(r.code, r.stderr).toBe(0);
    const inspect = await runNode([path.join(ROOT, "bin/image-verify.mjs"), "inspect", tarball, "--format", "json", "--config", path.join(ROOT, "verify.yaml"), "--project", path.join(ROOT, "api")]);
    expect(inspect.code, inspect.stderr).toBe(0);
    const report = JSON.parse(inspect.stdout);
    expect(report.results.find((c: { id: string }) => c.id === "archive-integrity")?.verdict).toBe("pass");
    expect(report.results.find((c: { id: string }) => c.id === "non-root")?.verdict).toBe("pass");
  }, TEST_MS);

  it("build returns the production container, running as UID 1001", async () => {
    const r = await call(["build", "user"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^1001(:1001)?$/);
  }, TEST_MS);

  it("serve runs with up: the health endpoint answers on 127.0.0.1 from the host, then it stops", async () => {
    const port = 18_000 + Math.floor(Math.random() * 1000);
    const up = spawn(DAGGER, ["--silent", "call", "serve", "up", "--ports", `${port}:8000`], { cwd: ROOT, detached: true, stdio: "ignore" });
    const stop = () => up.pid && process.kill(-up.pid, "SIGTERM");
    try {
      const status = await pollHealth(`http://127.0.0.1:${port}/api/v1/health`, 240_000);
      expect(status).toBe(200);
    } finally {
      stop();
      await new Promise((resolve) => up.once("exit", resolve));
    }
    await expect(fetch(`http://127.0.0.1:${port}/api/v1/health`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
  }, 300_000);

  it("test-integration runs the API's tests against PostgreSQL; lint passes", async () => {
    const [tests, lint] = await Promise.all([call(["test-integration"], FIRST_CALL_MS), call(["lint"], FIRST_CALL_MS)]);
    expect(tests.code, tests.stderr).toBe(0);
    expect(tests.stdout).toMatch(/\d+ passed/);
    expect(tests.stdout).not.toMatch(/\d+ (failed|skipped|error)/);
    expect(lint.code, lint.stderr).toBe(0);
    for (const tool of ["ruff", "hadolint", "shellcheck", "tsc+eslint"]) expect(lint.stdout).toContain(`== ${tool}: ok`);
  }, FIRST_CALL_MS);

  it("bad arguments end non-zero with the project's one-line message", async () => {
    const [format, outside, dockerfile, buildArg] = await Promise.all([
      call(["verify", "--format", "html"]),
      call(["--context", "../elsewhere", "verify"]),
      call(["--dockerfile", "Nope.Dockerfile", "verify"]),
      call(["--build-arg", "NOVALUE", "verify"]),
    ]);
    expectOneLineError(format, /^--format 'html' is not one of table, json, junit, sarif: pick one of those$/);
    expectOneLineError(outside, /^build context \.\.\/elsewhere is outside the repository root: set context/);
    expectOneLineError(dockerfile, /^no Dockerfile at api\/Nope\.Dockerfile: set dockerfile/);
    expectOneLineError(buildArg, /^--build-arg 'NOVALUE': write it as NAME=value$/);
  }, TEST_MS);
});

/** Poll `url` from the host until it answers 200 or the bound passes; the last status, or 0. */
async function pollHealth(url: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      last = res.status;
      if (last === 200) return last;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return last;
}

function runNode(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c));
    child.stderr.on("data", (c: Buffer) => (stderr += c));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

