/**
 * Images built elsewhere, through the real dagger CLI on a real engine: a second module that calls
 * verifyContainer on a container it builds itself (tests/dagger/composition), verify-image on an image
 * pulled from the kit's registry (and from a private one, with credentials), and verify-tarball on a
 * `docker save` file. Each judges every check
 * that needs no sources; the cache check skips, saying why.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Report, Verdict } from "../../src/checks/types.js";
import { baseImageBuildArgs, buildArgFlags, docker, dockerOk, uniqueName } from "../support/docker.js";
import { callError, daggerCli, type DaggerResult } from "../support/dagger.js";
import { ROOT } from "../support/dagger-sources.js";
import { describeWithDagger } from "../support/describe-dagger.js";
import { pushToKitRegistry } from "../support/kit-registry.js";
import { startPrivateRegistry, type PrivateRegistry } from "../support/private-registry.js";
import { recompress } from "../support/recompress.js";

const COMPOSITION = path.join(ROOT, "tests/dagger/composition");
/** A first call of a module loads it (npm install, codegen, its dependency): minutes on a cold engine. */
const CALL_MS = 600_000;
const call = (args: string[], cwd = ROOT): Promise<DaggerResult> => daggerCli(["call", ...args], { cwd, timeoutMs: CALL_MS });

/** Where the private registry's password (and a wrong one) reach `dagger call` as `env://` Secrets. */
const PASSWORD_ENV = "IMAGE_VERIFY_TEST_REGISTRY_PASSWORD";
const WRONG_PASSWORD_ENV = "IMAGE_VERIFY_TEST_REGISTRY_WRONG_PASSWORD";
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const verdicts = (report: Report): Record<string, Verdict> => Object.fromEntries(report.results.map((r) => [r.id, r.verdict]));

/** Every check passes but two that skip: the cache check (no sources) and the canary (no build secrets). */
function expectPrebuiltPass(result: DaggerResult): Report {
  expect(result.code, result.stderr).toBe(0);
  const report = JSON.parse(result.stdout) as Report;
  const notPassed = Object.entries(verdicts(report)).filter(([, v]) => v !== "pass");
  expect(notPassed).toEqual([["build-secret-not-leaked", "skip"], ["dependency-layer-cache", "skip"]]);
  expect(report.results.find((r) => r.id === "dependency-layer-cache")?.summary).toContain("the image was built elsewhere");
  return report;
}

describeWithDagger("images built elsewhere, through the dagger CLI (module mode)", () => {
  let address = "";
  let dir = "";
  let tarball = "";
  let registry: PrivateRegistry | undefined;
  let privateAddress = "";

  beforeAll(async () => {
    // The API's production image, built by Docker from the offline bases, as another pipeline would.
    const tag = `image-verify-prebuilt:${uniqueName("p")}`;
    const args = buildArgFlags(await baseImageBuildArgs());
    await dockerOk(["build", "--network", "host", "-q", "-f", path.join(ROOT, "api/Dockerfile.prod"), "--target", "runtime", ...args, "-t", tag, path.join(ROOT, "api")], 900_000);
    dir = await mkdtemp(path.join(tmpdir(), "dagger-prebuilt-"));
    tarball = path.join(dir, "api.tar");
    registry = await startPrivateRegistry();
    [address, privateAddress] = await Promise.all([pushToKitRegistry(tag, "api-prebuilt"), registry.push(tag, "api-private"), dockerOk(["save", "-o", tarball, tag], 300_000)]);
    await docker(["rmi", tag], 60_000);
  }, 1_200_000);

  afterAll(async () => {
    await registry?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("a second module verifies a container it built: passes as built, fails as root naming the check", async () => {
    const [passing, failing] = await Promise.all([call(["passing"], COMPOSITION), call(["failing"], COMPOSITION)]);
    const report = JSON.parse(passing.stdout || "{}") as Report;
    expect(passing.code, passing.stderr).toBe(0);
    expect(report).toMatchObject({ passed: true, image: "the given container", runtime: "dagger" });
    expect(verdicts(report)).toMatchObject({ "non-root": "pass", "health-endpoint": "pass", "graceful-shutdown": "pass", "missing-env-fails-fast": "pass", "dependency-layer-cache": "skip", "no-dev-dependencies": "skip" });
    expect(failing.code, failing.stderr).toBe(0);
    expect(failing.stdout).toMatch(/the given container: \d+ passed, 2 failed/);
    expect(failing.stdout).toMatch(/^FAIL non-root \(high\): USER "0" is root \(uid 0\)$/m);
    expect(failing.stdout).toMatch(/^FAIL runtime-uid \(high\): /m);
  }, 2 * CALL_MS);

  it("verify-image pulls from a registry and judges every check that needs no sources; --project adds the dev dependencies", async () => {
    const r = await call(["verify-image", "--address", address, "--project", "api", "--format", "json"]);
    const report = expectPrebuiltPass(r);
    expect(report.image).toBe(address);
    expect(report.results.find((c) => c.id === "no-dev-dependencies")?.evidence.join("\n")).toContain("pytest");
  }, CALL_MS);

  it("verify-image logs in to a private registry; without credentials, or with a wrong password, one line says what to give", async () => {
    const pass = registry?.password as string;
    process.env[PASSWORD_ENV] = pass;
    process.env[WRONG_PASSWORD_ENV] = `${pass}-wrong`;
    const login = (env: string) => ["--registry-username", registry?.username as string, "--registry-password", `env://${env}`];
    const [good, none, wrong] = await Promise.all([
      call(["verify-image", "--address", privateAddress, ...login(PASSWORD_ENV), "--project", "api", "--format", "json"]),
      call(["verify-image", "--address", privateAddress]),
      call(["verify-image", "--address", privateAddress, ...login(WRONG_PASSWORD_ENV)]),
    ]);
    expect(expectPrebuiltPass(good).image).toBe(privateAddress);
    const pulling = `pulling ${privateAddress}: `;
    expect(callError(none)).toMatch(new RegExp(`^${escape(pulling)}.*: if the registry is private, give --registry-username and --registry-password$`));
    expect(callError(wrong)).toMatch(new RegExp(`^${escape(pulling)}.*: check the address, and the credentials given$`));
    for (const r of [good, none, wrong]) expect(r.stdout + r.stderr).not.toContain(pass);
  }, CALL_MS);

  it("verify-tarball reads a docker save file as given", async () => {
    const r = await call(["verify-tarball", "--tarball", tarball, "--project", "api", "--format", "json"]);
    const report = expectPrebuiltPass(r);
    expect(report.image).toBe("api.tar");
    // The archive itself was read, not an export of the imported image (which would be an OCI layout).
    expect(report.results.find((c) => c.id === "archive-integrity")?.evidence.join("\n")).toContain("read as docker-archive");
  }, CALL_MS);

  it("verify-tarball reads an OCI layout with zstd layers (the engine's node decodes them natively)", async () => {
    const zstd = await recompress(tarball, path.join(dir, "api.zstd.oci.tar"), "zstd");
    const report = expectPrebuiltPass(await call(["verify-tarball", "--tarball", zstd, "--project", "api", "--format", "json"]));
    expect(report.results.find((c) => c.id === "archive-integrity")?.evidence.join("\n")).toContain("read as oci");
  }, CALL_MS);

  it("a missing image, or half the registry credentials, is a one-line error", async () => {
    const [missing, half] = await Promise.all([
      call(["verify-image", "--address", `${address.split("/")[0]}/image-verify/nothing-here:1`]),
      call(["verify-image", "--address", address, "--registry-username", "someone"]),
    ]);
    expect(missing.code).not.toBe(0);
    expect(callError(missing)).toMatch(/^pulling 127\.0\.0\.1:5000\/image-verify\/nothing-here:1: /);
    expect(callError(half)).toBe("--registry-username and --registry-password go together: give both, or neither for a public image");
    for (const r of [missing, half]) expect(r.stderr).not.toMatch(/\n\s+at |node:internal|\.ts:\d+:\d+/);
  }, CALL_MS);
});
