/**
 * `make bench`: every figure side by side in one run on the same inputs, printed as one table (stdout) and
 * written as JSON (default .cache/bench/results.json). Progress goes to stderr.
 *
 *   npx tsx bench/run.ts [--runs 5] [--synthetic-runs 3] [--mib 1100] [--only scan,verify,dagger,image] [--json <file>]
 *
 * Inputs: the production image (docker save, and the same image as an OCI layout with gzip layers), a
 * synthetic image the benchmark generates (bench/inputs/synthetic-image.ts) and an image of 500k small files
 * (bench/inputs/many-files.ts), both cached in .cache/bench.
 * Peers (gitleaks, trivy) are installed with `go install` at pinned versions into .cache/bench/bin.
 */
import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadConfigFile } from "../src/config/load.js";
import { readImage } from "../src/image/read.js";
import { baseImageBuildArgs, DOCKER } from "../tests/support/docker.js";
import { DockerRuntime } from "../tests/support/docker-runtime.js";
import { recompress } from "../tests/support/recompress.js";
import { syntheticImage } from "./inputs/synthetic-image.js";
import { describeMachine } from "./lib/machine.js";
import { renderBenchTable, type BenchReport, type Row } from "./lib/report.js";
import { PEERS } from "./peers/install.js";
import { imageRows } from "./sections/image.js";
import { scanRows, type ScanGoals, type ScanInput } from "./sections/scan.js";
import { manyFilesImage } from "./inputs/many-files.js";
import { verifyFlowRows } from "./sections/verify-flow.js";
import { daggerRows } from "./sections/dagger.js";

const ROOT = resolve(import.meta.dirname, "..");
const CACHE = join(ROOT, ".cache/bench");
const SECTIONS = ["scan", "verify", "dagger", "image"] as const;
/** Files in the many-files input (bench/inputs/many-files.ts). */
const MANY_FILES = 500_000;

const USAGE = "use --runs N, --synthetic-runs N, --mib N, --only scan,verify,dagger,image, --json <file>";

const OPTIONS = {
  runs: { type: "string", default: "5" },
  "synthetic-runs": { type: "string", default: "3" },
  mib: { type: "string", default: "1100" },
  only: { type: "string", default: SECTIONS.join(",") },
  json: { type: "string", default: join(CACHE, "results.json") },
} as const;

function parsed() {
  try {
    return parseArgs({ options: OPTIONS });
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}: ${USAGE}`);
  }
}

function options() {
  const { values } = parsed();
  const count = (name: string, v: string, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} ${v}: give a whole number ≥ ${min}`);
    return n;
  };
  const only = values.only.split(",").map((s) => s.trim());
  const unknown = only.find((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown) throw new Error(`--only ${unknown}: use any of ${SECTIONS.join(", ")}`);
  return { runs: count("runs", values.runs, 1), syntheticRuns: count("synthetic-runs", values["synthetic-runs"], 1), mib: count("mib", values.mib, 8), only, json: resolve(values.json) };
}

const started = Date.now();
const log = (line: string) => process.stderr.write(`${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s  ${line}\n`);

/** An input of the scan rows; its layers come from a read already done (or the generator's manifest), not a new one. */
function scanInput(name: string, tarball: string, layers: Array<{ diffId: string; uncompressedSize: number }>, goals: ScanGoals, planted: ScanInput["planted"] = []): ScanInput {
  return { name, tarball, planted, goals, diffIds: layers.map((l) => l.diffId), uncompressedBytes: layers.reduce((n, l) => n + l.uncompressedSize, 0) };
}

/** Issue 13's targets: 75% of raw gzip decompression, 400 MB/s from docker save, 1.5x gitleaks, 2x trivy (5x on the synthetic image). */
const GOALS = {
  gzip: { rawShare: 0.75, gitleaks: 1.5, trivy: 2 },
  synthetic: { rawShare: 0.75, gitleaks: 1.5, trivy: 5 },
  dockerSave: { minMBps: 400, gitleaks: 1.5, trivy: 2 },
} satisfies Record<string, ScanGoals>;

async function main(): Promise<void> {
  const opts = options();
  await mkdir(CACHE, { recursive: true });
  const buildArgs = await baseImageBuildArgs();
  const config = await loadConfigFile(join(ROOT, "verify.yaml"));
  const runtime = new DockerRuntime({ buildArgs });
  const rows: Row[] = [];
  const inputs: Record<string, string>[] = [];
  try {
    log("building the production image");
    const prod = await runtime.build({ context: join(ROOT, config.context), dockerfile: config.dockerfile, target: config.target, buildArgs: config.buildArgs });
    const saved = await runtime.exportTarball(prod);
    const prodIndex = await readImage(saved);
    if (opts.only.includes("scan")) {
      log("writing the production image as an OCI layout with gzip layers");
      const oci = await recompress(saved, join(CACHE, "prod.oci-gzip.tar"), "gzip");
      log(`generating (or reusing) the synthetic image, ${opts.mib} MiB`);
      const synthetic = await syntheticImage({ dir: CACHE, uncompressedMiB: opts.mib });
      log(`generating (or reusing) the many-files image, ${MANY_FILES} files`);
      const many = await manyFilesImage({ dir: CACHE, files: MANY_FILES });
      const scanInputs = [
        // The generator's manifest (tests/bench checks it against the reader).
        scanInput(`synthetic image (${synthetic.recipe}), OCI gzip`, synthetic.path, synthetic.layers.map((l) => ({ diffId: l.diffId, uncompressedSize: l.uncompressedBytes })), GOALS.synthetic, synthetic.planted),
        scanInput("production image, docker save", saved, prodIndex.layers, GOALS.dockerSave),
        // recompress() copies the config byte for byte: same diff_ids, same uncompressed layers.
        scanInput("production image, OCI gzip", oci, prodIndex.layers, GOALS.gzip),
        // Half a million small files in a deep tree: the per-file cost and the memory bound (peak < 256 MiB).
        scanInput(`many files (${MANY_FILES}), OCI gzip`, many.path, many.layers.map((l) => ({ diffId: l.diffId, uncompressedSize: l.uncompressedBytes })), GOALS.gzip, many.planted),
      ];
      for (const input of scanInputs) inputs.push({ name: input.name, path: input.tarball, uncompressedMB: (input.uncompressedBytes / 1e6).toFixed(1), layers: String(input.diffIds.length), planted: String(input.planted.length) });
      for (const [i, input] of scanInputs.entries()) rows.push(...(await scanRows(input, i === 0 ? opts.syntheticRuns : opts.runs, join(CACHE, "bin"), log)));
    }
    if (opts.only.includes("verify")) rows.push(...(await verifyFlowRows({ root: ROOT, config, buildArgs, runtime, prod, prodIndex, runs: opts.runs, log })));
    if (opts.only.includes("dagger")) rows.push(...(await daggerRows({ root: ROOT, runs: opts.runs, log })));
    if (opts.only.includes("image")) rows.push(...(await imageRows({ root: ROOT, config, buildArgs, runtime, prod, runs: opts.runs, log })));
  } finally {
    await runtime.close();
  }
  const report: BenchReport = {
    date: new Date().toISOString(),
    machine: describeMachine(DOCKER),
    inputs,
    versions: {
      "image-verify": gitRevision(),
      gitleaks: `${PEERS.gitleaks.module}@${PEERS.gitleaks.version}`,
      trivy: `${PEERS.trivy.module}@${PEERS.trivy.version}`,
      ...buildArgs,
    },
    rows,
  };
  await mkdir(dirname(opts.json), { recursive: true });
  await writeFile(opts.json, JSON.stringify(report, null, 2) + "\n");
  process.stdout.write(header(report) + renderBenchTable(report));
  log(`done; JSON written to ${opts.json}`);
}

function gitRevision(): string {
  try {
    return execFileSync("git", ["-C", ROOT, "describe", "--always", "--dirty"], { encoding: "utf8", timeout: 5000 }).trim();
  } catch {
    return "unknown";
  }
}

function header(report: BenchReport): string {
  const kv = (o: Record<string, string>) => Object.entries(o).map(([k, v]) => `${k} ${v}`).join(", ");
  return [
    `image-verify benchmark, ${report.date}`,
    `machine: ${kv(report.machine)}`,
    `versions: ${kv(report.versions)}`,
    ...report.inputs.map((i) => `input: ${kv(i)}`),
    "",
  ].join("\n");
}

await main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
