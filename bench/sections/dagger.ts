/**
 * The Dagger rows: `dagger call verify` on this repository through the real CLI and engine, as users run
 * it, next to the Docker path's whole verify(). The first call of the bench run is reported apart (it
 * pays for whatever the engine no longer has: the module's runtime, the build, the harness); the
 * following calls are the warm figure. The report's own duration is the function's share, the rest is
 * the CLI, the module's start and the engine. Two more rows put it in proportion: the floor, a
 * function that does nothing in a minimal TypeScript module on the same engine (what any call costs
 * before our code runs), and `dagger check` (verify, test-integration, lint), as the hook and CI run it.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

/** A module with one function that returns at once, never cached: the cost of any call before a module's own work. */
const MINIMAL_MODULE = `import { func, object } from "@dagger.io/dagger";

/** The floor of a call. */
@object()
export class ProdImageVerify {
  /** Returns at once. */
  @func({ cache: "never" })
  noop(): string {
    return "ok";
  }
}
`;

/** The same dagger.json, package.json and lock as this module (so the same runtime and packages), a minimal src/. */
async function minimalModule(root: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "bench-dagger-floor-"));
  await Promise.all(["dagger.json", "package.json", "package-lock.json", "tsconfig.json"].map((f) => cp(join(root, f), join(dir, f))));
  await mkdir(join(dir, "src"));
  await writeFile(join(dir, "src/index.ts"), MINIMAL_MODULE);
  return dir;
}

async function timed(args: string[], cwd: string): Promise<number> {
  const t0 = performance.now();
  const r = await daggerCli(args, { cwd, timeoutMs: CALL_MS });
  if (r.code !== 0) throw new Error(`dagger ${args.join(" ")} failed (exit ${r.code}): ${r.stderr.trim().split("\n").pop()}`);
  return (performance.now() - t0) / 1000;
}

/** The floor and dagger check, warm (each called once before the timed runs). */
async function contextRows(ctx: { root: string; runs: number; log: (line: string) => void }): Promise<Row[]> {
  const floorDir = await minimalModule(ctx.root);
  try {
    const warmRuns = async (label: string, args: string[], cwd: string): Promise<number[]> => {
      ctx.log(`${label}: first call`);
      await timed(args, cwd);
      return repeat(ctx.runs, (run) => {
        ctx.log(`${label}: warm run ${run + 1}/${ctx.runs}`);
        return timed(args, cwd);
      });
    };
    const floor = await warmRuns("dagger call noop (minimal module)", ["call", "noop"], floorDir);
    const check = await warmRuns("dagger check", ["check"], ctx.root);
    const row = (name: string, samples: number[], note: string): Row => ({
      group: GROUP, name, metrics: [{ label: "wall", unit: "s", value: summarise(samples) }], notes: [note], targets: [],
    });
    return [
      row("floor: a function that returns at once, in a minimal TypeScript module, warm", floor, "CLI, the SDK starting the module (node, tsx, its TypeScript introspection) and the engine: no code of ours"),
      row("warm dagger check (verify, test-integration, lint)", check, "the engine caches test-integration's pytest run while nothing under api/ changes; after a change to api/ it runs again"),
    ];
  } finally {
    await rm(floorDir, { recursive: true, force: true });
  }
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
    ...(await contextRows(ctx)),
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
