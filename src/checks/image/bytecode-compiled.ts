/**
 * bytecode-compiled: the venv's modules ship their `__pycache__/*.pyc`, so a read-only container
 * neither compiles on every start (slow cold start) nor tries to write next to the sources.
 */
import type { Check, Evidence, Judgement } from "../types.js";
import { finalFilePaths } from "../../image/filesystem.js";

/** Share of site-packages modules that must have bytecode. */
export const MIN_COMPILED_RATIO = 0.9;

const PYC = /^(.*)\/__pycache__\/([^/]+?)\.cpython-[^/]*\.pyc$/;

/** Counts of .py files under site-packages and those without a matching cpython .pyc. */
export function bytecodeCoverage(paths: Iterable<string>): { modules: number; missing: string[] } {
  const compiled = new Set<string>();
  const sources: string[] = [];
  for (const path of paths) {
    const m = PYC.exec(path);
    if (m) compiled.add(`${m[1]}/${m[2]}`);
    else if (path.endsWith(".py") && path.includes("/site-packages/")) sources.push(path);
  }
  const missing = sources.filter((p) => !compiled.has(p.slice(0, -3)));
  return { modules: sources.length, missing };
}

function judge({ image }: Evidence): Judgement {
  if (!image) throw new Error("image evidence missing");
  const files = finalFilePaths(image);
  const { modules, missing } = bytecodeCoverage(files);
  if (modules === 0) {
    return { verdict: "warn", summary: "no site-packages with .py modules found: nothing to check", evidence: [], fix: "check that the venv is copied into the final image" };
  }
  const ratio = (modules - missing.length) / modules;
  const percent = `${(ratio * 100).toFixed(1)} %`;
  const lines = [`${modules - missing.length} of ${modules} site-packages modules have a .pyc (${percent})`];
  // The first five in path order: the same whatever order the merged filesystem lists them in.
  if (missing.length > 0) lines.push(...[...missing].sort().slice(0, 5).map((p) => `no bytecode: ${p}`));
  if (ratio >= MIN_COMPILED_RATIO) return { verdict: "pass", summary: `${percent} of site-packages modules are compiled`, evidence: lines };
  return {
    verdict: "fail",
    summary: `only ${percent} of site-packages modules are compiled (need ${MIN_COMPILED_RATIO * 100} %)`,
    evidence: lines,
    fix: "compile at build time: ENV UV_COMPILE_BYTECODE=1 before `uv sync` (or `python -m compileall` on the venv)",
  };
}

/** The bytecode-compiled check. */
export const bytecodeCompiledCheck: Check = {
  id: "bytecode-compiled",
  title: "Dependencies are bytecode-compiled",
  severity: "low",
  needs: ["image"],
  judge,
};
