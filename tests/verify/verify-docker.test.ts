/**
 * The whole verify() flow, exactly as `dagger call verify` runs it, but through DockerRuntime on the
 * local engine: build, the source-only-change build, export, one streaming read with the secret scan,
 * the runtime scenarios through the PID 1 harness, every check. The project's own image passes all.
 */
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { afterEach, expect, it } from "vitest";
import { allChecks } from "../../src/checks/index.js";
import { loadConfigFile } from "../../src/config/load.js";
import { renderTable } from "../../src/report/index.js";
import { verify } from "../../src/verify.js";
import { baseImageBuildArgs } from "../support/docker.js";
import { describeWithDocker } from "../support/describe-docker.js";
import { DockerRuntime } from "../support/docker-runtime.js";

const ROOT = resolve(import.meta.dirname, "../..");

describeWithDocker("verify() on the project's production image (Docker runtime)", () => {
  let runtime: DockerRuntime | undefined;
  afterEach(async () => runtime?.close());

  it("passes every check, with no secret finding and nothing skipped", async () => {
    runtime = new DockerRuntime({ buildArgs: await baseImageBuildArgs() });
    const config = await loadConfigFile(resolve(ROOT, "verify.yaml"));
    // A build secret the Dockerfile does not use: the canary must find no trace of it in the real image.
    const buildSecrets = { "verify-canary": randomBytes(24).toString("base64url") };
    const report = await verify({ config, runtime, repoRoot: ROOT, buildSecrets });
    const table = renderTable(report);
    expect(report.results.map((r) => r.id)).toEqual(allChecks.map((c) => c.id));
    for (const result of report.results) expect(`${result.id}: ${result.verdict}`, table).toBe(`${result.id}: pass`);
    expect(report.secrets).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.image).toBe("api/Dockerfile.prod:runtime");
    expect(report.dockerfile).toBe("api/Dockerfile.prod");
  }, 900_000);

  it("says on each skipped check that its step was skipped on request", async () => {
    runtime = new DockerRuntime({ buildArgs: await baseImageBuildArgs() });
    const config = await loadConfigFile(resolve(ROOT, "verify.yaml"));
    const report = await verify({ config, runtime, repoRoot: ROOT, skipRuntime: true, skipCache: true });
    const skipped = Object.fromEntries(report.results.filter((r) => r.verdict === "skip").map((r) => [r.id, r.summary]));
    expect(skipped).toEqual({
      "build-secret-not-leaked": "not gathered: buildSecrets (no build secrets were given: set buildSecrets in verify.yaml, or --build-secret through Dagger)",
      "dependency-layer-cache": "not gathered: cache (the second build was skipped on request)",
      "health-endpoint": "not gathered: serve (the runtime scenarios were skipped on request)",
      "runtime-uid": "not gathered: serve (the runtime scenarios were skipped on request)",
      "listens-all-interfaces": "not gathered: serve (the runtime scenarios were skipped on request)",
      "graceful-shutdown": "not gathered: serve (the runtime scenarios were skipped on request)",
      "stdout-json-logs": "not gathered: serve (the runtime scenarios were skipped on request)",
      "no-log-files": "not gathered: serve (the runtime scenarios were skipped on request)",
      "missing-env-fails-fast": "not gathered: missingEnv (the runtime scenarios were skipped on request)",
    });
    expect(report.passed).toBe(true);
  }, 900_000);
});
