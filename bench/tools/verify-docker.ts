/**
 * Time the whole verify() on this repository's production image through the local Docker engine,
 * step by step, and print the report table. Run: npx tsx bench/tools/verify-docker.ts [--no-cache-check]
 * (The first run builds the images; later runs measure the warm-cache path a pre-push hook sees.)
 */
import { resolve } from "node:path";
import { loadConfigFile } from "../../src/config/load.js";
import { renderTable } from "../../src/report/index.js";
import { verify } from "../../src/verify.js";
import { baseImageBuildArgs } from "../../tests/support/docker.js";
import { DockerRuntime } from "../../tests/support/docker-runtime.js";

async function main(): Promise<void> {
  const root = resolve(import.meta.dirname, "../..");
  const runtime = new DockerRuntime({ buildArgs: await baseImageBuildArgs() });
  const started = Date.now();
  const stamp = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s`;
  try {
    const config = await loadConfigFile(resolve(root, "verify.yaml"));
    const report = await verify({
      config,
      runtime,
      repoRoot: root,
      skipCache: process.argv.includes("--no-cache-check"),
      onProgress: (line) => console.error(`${stamp()}  ${line}`),
    });
    console.error(`${stamp()}  done`);
    console.log(renderTable(report));
    process.exitCode = report.passed ? 0 : 1;
  } finally {
    await runtime.close();
  }
}

await main();
