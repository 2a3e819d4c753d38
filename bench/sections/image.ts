/**
 * The image rows: the production image's size and layer count against the dev image and a naive
 * single-stage build (bench/images/naive.Dockerfile), and time to healthy with and without the venv's
 * precompiled bytecode (bench/images/no-bytecode.Dockerfile).
 *
 * The naive build is `pip install` into the python base image, i.e. `FROM python:3.12` (the full image a
 * first Dockerfile starts from); the target is judged against it. The same Dockerfile on the slim base is
 * shown too: it isolates what the multi-stage build itself saves once the base is already slim.
 */
import { lastLine } from "../../src/text.js";
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import type { VerifyConfig } from "../../src/config/schema.js";
import { serveScenario } from "../../src/runtime/scenarios.js";
import type { BuiltImage } from "../../src/runtime/types.js";
import { docker } from "../../tests/support/docker.js";
import type { DockerRuntime } from "../../tests/support/docker-runtime.js";
import { single, type Row } from "../lib/report.js";
import { repeat, summarise } from "../lib/stats.js";

export interface ImageContext {
  root: string;
  /** The build args in use: the offline stand-ins, or none (the real base images). */
  buildArgs: Record<string, string>;
  config: VerifyConfig;
  runtime: DockerRuntime;
  prod: BuiltImage;
  runs: number;
  log: (line: string) => void;
}

const GROUP = "Image: production against dev and naive builds";

async function sizeOf(image: BuiltImage): Promise<{ mb: number; layers: number }> {
  const r = await docker(["image", "inspect", "--format", "{{.Size}} {{len .RootFS.Layers}}", image.name], 30_000);
  if (r.code !== 0) throw new Error(`docker image inspect ${image.name} failed: ${r.stderr.trim()}`);
  const [size, layers] = r.stdout.trim().split(" ").map(Number);
  return { mb: size! / 1e6, layers: layers! };
}

const run = promisify(execFile);
const OFFLINE_SCRIPT = "scripts/offline-base-images.sh";

/**
 * The python:3.12 image for the naive build: the real one, or with the offline stand-ins its stand-in,
 * built on first use by the offline script (bounded; a few minutes, cached in the engine by its recipe).
 */
async function fullPythonImage(ctx: ImageContext): Promise<string> {
  if (!ctx.buildArgs.PYTHON_IMAGE) return "python:3.12";
  const script = resolve(ctx.root, OFFLINE_SCRIPT);
  const name = (await run("bash", [script, "--print-full-image"], { timeout: 10_000 })).stdout.trim();
  ctx.log(`making sure ${name} (stand-in for python:3.12) is built`);
  await run("bash", [script, "--full"], { timeout: 30 * 60_000 }).catch((e: { stderr?: string }) => {
    throw new Error(`${OFFLINE_SCRIPT} --full failed: ${e.stderr ? lastLine(e.stderr) : String(e)}`);
  });
  return name;
}

const sizeRow = (name: string, s: { mb: number; layers: number }): Row => ({
  group: GROUP, name, metrics: [single("size", s.mb, "MB"), single("layers", s.layers, "count")], notes: [], targets: [],
});

/** All rows of the image group. */
export async function imageRows(ctx: ImageContext): Promise<Row[]> {
  const api = resolve(ctx.root, "api");
  const naiveFile = resolve(ctx.root, "bench/images/naive.Dockerfile");
  const fullBase = await fullPythonImage(ctx);
  ctx.log("building the dev image and the naive single-stage images");
  const dev = await ctx.runtime.build({ context: api, dockerfile: "Dockerfile", target: "", buildArgs: {} });
  const naive = await ctx.runtime.build({ context: api, dockerfile: naiveFile, target: "", buildArgs: { PYTHON_IMAGE: fullBase } });
  const naiveSlim = await ctx.runtime.build({ context: api, dockerfile: naiveFile, target: "", buildArgs: {} });
  const [p, d, n, ns] = await Promise.all([sizeOf(ctx.prod), sizeOf(dev), sizeOf(naive), sizeOf(naiveSlim)]);
  const share = p.mb / n.mb;
  const prodRow = sizeRow("production image (api/Dockerfile.prod)", p);
  prodRow.metrics.push(single("of naive", 100 * share, "%"), single("of naive on slim", (100 * p.mb) / ns.mb, "%"), single("of dev", (100 * p.mb) / d.mb, "%"));
  prodRow.targets.push({ goal: "at most half the naive single-stage build", actual: `${(100 * share).toFixed(0)}%`, pass: share <= 0.5 });
  const slimRow = sizeRow("the same naive build on the slim base (what multi-stage alone saves)", ns);
  slimRow.notes.push(`production is ${(100 * (1 - p.mb / ns.mb)).toFixed(0)}% smaller than this build on its own base`);
  return [prodRow, sizeRow("dev image (api/Dockerfile)", d), sizeRow(`naive single-stage, pip install into ${fullBase} (bench/images/naive.Dockerfile)`, n), slimRow, await bytecodeRow(ctx)];
}

async function bytecodeRow(ctx: ImageContext): Promise<Row> {
  const noPyc = await ctx.runtime.build({ context: resolve(ctx.root, "bench/images"), dockerfile: "no-bytecode.Dockerfile", target: "", buildArgs: { BASE: ctx.prod.name } });
  const healthy = async (image: BuiltImage, label: string) => {
    const spec = serveScenario(ctx.config, await ctx.runtime.startConfig(image));
    const samples = await repeat(ctx.runs, async (run) => {
      ctx.log(`time to healthy, ${label}: run ${run + 1}/${ctx.runs}`);
      const ev = await ctx.runtime.runScenario(image, spec);
      if (ev.timeToHealthyMs === undefined) throw new Error(`${label} never got healthy: ${ev.healthError ?? ""}`);
      return ev.timeToHealthyMs;
    });
    return { label, unit: "ms" as const, value: summarise(samples) };
  };
  const [compiled, plain] = [await healthy(ctx.prod, "compiled"), await healthy(noPyc, "without bytecode")];
  return {
    group: GROUP,
    name: "time to healthy with and without the venv's precompiled bytecode",
    metrics: [compiled, plain, single("saved by compiling", plain.value.median - compiled.value.median, "ms")],
    notes: [],
    targets: [],
  };
}
