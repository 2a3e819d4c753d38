/**
 * The whole verify() flow, exactly as `dagger call verify` runs it, but through DockerRuntime on the
 * local engine: build, the source-only-change build, export, one streaming read with the secret scan,
 * the runtime scenarios through the PID 1 harness, every check. The project's own image passes all.
 */
import { resolve } from "node:path";
import { afterAll, expect, it } from "vitest";
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
  afterAll(async () => runtime?.close());

  it("passes every check, with no secret finding and nothing skipped", async () => {
    runtime = new DockerRuntime({ buildArgs: await baseImageBuildArgs() });
    const config = await loadConfigFile(resolve(ROOT, "verify.yaml"));
    const report = await verify({ config, runtime, repoRoot: ROOT });
    const table = renderTable(report);
    expect(report.results.map((r) => r.id)).toEqual(allChecks.map((c) => c.id));
    for (const result of report.results) expect(`${result.id}: ${result.verdict}`, table).toBe(`${result.id}: pass`);
    expect(report.secrets).toEqual([]);
    expect(report.passed).toBe(true);
  }, 900_000);
});
