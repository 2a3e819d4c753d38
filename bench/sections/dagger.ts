/**
 * The Dagger row: `dagger call verify` on this repository through the real CLI and engine, as users run
 * it, next to the Docker path's whole verify(). The first call of the bench run is reported apart (it
 * pays for whatever the engine no longer has: the module's runtime, the build, the harness); the
 * following calls are the warm figure. The report's own duration is the function's share, the rest is
 * the CLI, the module's start and the engine.
 */
import { daggerCli, probeDagger } from "../../tests/support/dagger.js";
import type { Metric, Row } from "../lib/report.js";
import { repeat, summarise } from "../lib/stats.js";

const GROUP = "Verify flow: production image, Dagger engine (module mode, dagger call verify)";
const CALL_MS = 900_000;
const WARM_GOAL_S = 8;

interface Call {
  wallS: number;
  functionS: number;
  passed: boolean;
  checks: number;
}

async function callVerify(root: string): Promise<Call> {
  const t0 = performance.now();
  const r = await daggerCli(["call", "verify", "--format", "json"], { cwd: root, timeoutMs: CALL_MS });
  const wallS = (performance.now() - t0) / 1000;
  if (r.code !== 0) throw new Error(`dagger call verify failed (exit ${r.code}): ${r.stderr.trim().split("\n").pop()}`);
  const report = JSON.parse(r.stdout) as { durationMs: number; passed: boolean; results: unknown[] };
  return { wallS, functionS: report.durationMs / 1000, passed: report.passed, checks: report.results.length };
}

/** The first and the warm calls; without an engine, one row that says so. */
export async function daggerRows(ctx: { root: string; runs: number; log: (line: string) => void }): Promise<Row[]> {
  const engine = probeDagger();
  if (!engine.ok) {
    ctx.log(`dagger: no engine answers (${engine.why}); the Dagger row is left out`);
    return [{ group: GROUP, name: "dagger call verify", metrics: [], notes: [`not measured: ${engine.why}`], targets: [] }];
  }
  ctx.log("dagger call verify: first call");
  const first = await callVerify(ctx.root);
  const warm = await repeat(ctx.runs, (run) => {
    ctx.log(`dagger call verify: warm run ${run + 1}/${ctx.runs}`);
    return callVerify(ctx.root);
  });
  const wall = summarise(warm.map((c) => c.wallS));
  const s = (label: string, samples: number[]): Metric => ({ label, unit: "s", value: summarise(samples) });
  return [
    {
      group: GROUP,
      name: "first call of this bench run (module start, and whatever the engine's cache lacks)",
      metrics: [s("wall", [first.wallS]), s("inside the function", [first.functionS])],
      notes: ["a really cold engine (empty cache volume) also pulls the base images and compiles the module's runtime: see docs/dagger.md"],
      targets: [],
    },
    {
      group: GROUP,
      name: "warm dagger call verify (CLI, module start, builds cached, export, read+scan, scenarios, checks)",
      metrics: [s("wall", warm.map((c) => c.wallS)), s("inside the function", warm.map((c) => c.functionS))],
      notes: [`${first.checks} checks; all passed in every run: ${[first, ...warm].every((c) => c.passed)}`],
      targets: [{ goal: `warm dagger call verify ≤ ${WARM_GOAL_S} s (median)`, actual: `${wall.median.toFixed(1)} s`, pass: wall.median <= WARM_GOAL_S }],
    },
  ];
}
