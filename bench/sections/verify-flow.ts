/**
 * The verify-flow rows, on the production image through the Docker runtime: the whole verify() with a warm
 * build cache, the serve scenario (time to healthy, SIGTERM to exit) through the PID 1 helper, and the same
 * cycle done the plain way (`docker run`, poll health with `docker exec curl`, `docker stop`) to show what
 * the helper costs.
 */
import { lastLine } from "../../src/text.js";
import type { VerifyConfig } from "../../src/config/schema.js";
import type { ImageIndex } from "../../src/image/types.js";
import { serveScenario } from "../../src/runtime/scenarios.js";
import type { BuiltImage, RunEvidence } from "../../src/runtime/types.js";
import { verify } from "../../src/verify.js";
import { docker, uniqueName } from "../../tests/support/docker.js";
import { DockerRuntime } from "../../tests/support/docker-runtime.js";
import { single, type Metric, type Row } from "../lib/report.js";
import { repeat, summarise } from "../lib/stats.js";

export interface FlowContext {
  root: string;
  config: VerifyConfig;
  buildArgs: Record<string, string>;
  runtime: DockerRuntime;
  prod: BuiltImage;
  prodIndex: ImageIndex;
  runs: number;
  log: (line: string) => void;
}

const GROUP = "Verify flow: production image, Docker runtime";
const ms = (label: string, samples: number[]): Metric => ({ label, unit: "ms", value: summarise(samples) });

/** All rows of the verify-flow group. */
export async function verifyFlowRows(ctx: FlowContext): Promise<Row[]> {
  const helper = await helperCycles(ctx);
  const plain = await plainCycles(ctx);
  const overhead = summarise(helper.wall).median - summarise(plain.wall).median;
  const exitMax = Math.max(...helper.exit);
  return [
    await wholeVerifyRow(ctx),
    {
      group: GROUP,
      name: "serve scenario through the PID 1 helper",
      metrics: [ms("time to healthy", helper.healthy), ms("SIGTERM to exit", helper.exit), ms("whole run", helper.wall)],
      notes: [`exit codes: ${[...new Set(helper.codes)].join(", ")}`],
      targets: [{ goal: "SIGTERM to exit < 1 s (slowest run)", actual: `${exitMax.toFixed(0)} ms`, pass: exitMax < 1000 }],
    },
    {
      group: GROUP,
      name: "plain docker run, health by docker exec curl, docker stop",
      metrics: [ms("time to healthy", plain.healthy), ms("docker stop", plain.exit), ms("whole cycle", plain.wall)],
      notes: ["health polled every 50 ms with docker exec (itself ~50-100 ms a call), so time to healthy is coarse"],
      targets: [],
    },
    {
      group: GROUP,
      name: "PID 1 helper overhead over the plain cycle",
      metrics: [single("median whole run minus median plain cycle", overhead, "ms")],
      notes: ["the helper also reads sockets and UIDs, lists written files and keeps stdout and stderr apart"],
      targets: [],
    },
  ];
}

async function wholeVerifyRow(ctx: FlowContext): Promise<Row> {
  const once = async () => {
    const runtime = new DockerRuntime({ buildArgs: ctx.buildArgs });
    const t0 = performance.now();
    try {
      const report = await verify({ config: ctx.config, runtime, repoRoot: ctx.root });
      return { s: (performance.now() - t0) / 1000, passed: report.passed, checks: report.results.length };
    } finally {
      await runtime.close();
    }
  };
  ctx.log("verify(): warm-up run (fills the build cache)");
  await once();
  const results = await repeat(ctx.runs, (run) => {
    ctx.log(`verify(): run ${run + 1}/${ctx.runs}`);
    return once();
  });
  const secs = summarise(results.map((r) => r.s));
  return {
    group: GROUP,
    name: "whole verify(), warm build cache (builds, export, read+scan, scenarios, checks)",
    metrics: [{ label: "wall", unit: "s", value: secs }],
    notes: [`${results[0]!.checks} checks; all passed in every run: ${results.every((r) => r.passed)}`],
    targets: [{ goal: "warm verify < 20 s (median)", actual: `${secs.median.toFixed(1)} s`, pass: secs.median < 20 }],
  };
}

interface Cycles {
  healthy: number[];
  exit: number[];
  wall: number[];
  codes: number[];
}

async function helperCycles(ctx: FlowContext): Promise<Cycles> {
  const spec = serveScenario(ctx.config, ctx.prodIndex.config);
  const out: Cycles = { healthy: [], exit: [], wall: [], codes: [] };
  await repeat(ctx.runs, async (run) => {
    ctx.log(`serve scenario: run ${run + 1}/${ctx.runs}`);
    const t0 = performance.now();
    const ev: RunEvidence = await ctx.runtime.runScenario(ctx.prod, spec);
    out.wall.push(performance.now() - t0);
    if (ev.timeToHealthyMs === undefined || ev.timeToExitMs === undefined) throw new Error(`serve scenario did not get healthy and stop: ${ev.healthError ?? ev.harnessErrors.join("; ")}`);
    out.healthy.push(ev.timeToHealthyMs);
    out.exit.push(ev.timeToExitMs);
    out.codes.push(ev.exitCode ?? -1);
  });
  return out;
}

/** `docker run -d`, poll health from inside (the container has no network), `docker stop`, `docker rm`. */
async function plainCycles(ctx: FlowContext): Promise<Cycles> {
  const spec = serveScenario(ctx.config, ctx.prodIndex.config);
  const url = `http://127.0.0.1:${spec.port}${spec.healthPath}`;
  const envFlags = Object.keys(spec.env).flatMap((k) => ["-e", k]);
  const out: Cycles = { healthy: [], exit: [], wall: [], codes: [] };
  await repeat(ctx.runs, async (run) => {
    ctx.log(`plain docker cycle: run ${run + 1}/${ctx.runs}`);
    const name = uniqueName("bench-plain");
    const t0 = performance.now();
    try {
      const started = await docker(["run", "-d", "--name", name, "--network", "none", ...envFlags, ctx.prod.name], 60_000, spec.env);
      if (started.code !== 0) throw new Error(`docker run failed: ${lastLine(started.stderr)}`);
      const deadline = t0 + spec.healthTimeoutMs;
      while ((await docker(["exec", name, "curl", "-fsS", "-o", "/dev/null", url], 10_000)).code !== 0) {
        if (performance.now() > deadline) throw new Error(`${ctx.prod.name} not healthy within ${spec.healthTimeoutMs} ms under plain docker run`);
        await new Promise((r) => setTimeout(r, 50));
      }
      out.healthy.push(performance.now() - t0);
      const t1 = performance.now();
      const stopped = await docker(["stop", "-t", String(spec.graceMs / 1000), name], spec.graceMs + 30_000);
      out.exit.push(performance.now() - t1);
      if (stopped.code !== 0) throw new Error(`docker stop failed: ${stopped.stderr.trim()}`);
      out.wall.push(performance.now() - t0);
    } finally {
      await docker(["rm", "-f", name], 30_000);
    }
  });
  return out;
}
