/**
 * The benchmark's one table and its JSON. A row is one thing measured (a scanner on an input, a step of
 * the verify flow, an image); its metrics are medians with their spread; its targets carry a pass or miss
 * mark. A row whose subject could not run (a peer that would not install) stays, saying why.
 */
import type { Sampled } from "./stats.js";

export type Unit = "MB/s" | "MiB" | "MB" | "ms" | "s" | "x" | "%" | "count";

export interface Metric {
  label: string;
  value: Sampled;
  unit: Unit;
}

export interface Target {
  /** What is asked, e.g. "scan ≥ 50% of raw decompression". */
  goal: string;
  /** What was measured against it, e.g. "62%". */
  actual: string;
  /** undefined: could not be judged (the peer did not run). */
  pass: boolean | undefined;
}

export interface Row {
  group: string;
  name: string;
  metrics: Metric[];
  /** Free-text facts: finding counts, versions, why a row could not run. */
  notes: string[];
  targets: Target[];
}

export interface BenchReport {
  date: string;
  machine: Record<string, string>;
  inputs: Record<string, string>[];
  versions: Record<string, string>;
  rows: Row[];
}

const DECIMALS: Record<Unit, number> = { "MB/s": 1, MiB: 0, MB: 1, ms: 0, s: 2, x: 1, "%": 0, count: 0 };

/** "123.4 MB/s (120.1–130.0, 5 runs)"; a single run or a constant prints without the spread. */
export function formatMetric(m: Metric): string {
  const d = DECIMALS[m.unit];
  const f = (n: number) => n.toFixed(d);
  const unit = m.unit === "count" ? "" : m.unit === "x" || m.unit === "%" ? m.unit : ` ${m.unit}`;
  const spread = m.value.runs > 1 && f(m.value.min) !== f(m.value.max) ? ` (${f(m.value.min)}–${f(m.value.max)}, ${m.value.runs} runs)` : "";
  return `${m.label} ${f(m.value.median)}${unit}${spread}`;
}

function mark(t: Target): string {
  return t.pass === undefined ? "n/a " : t.pass ? "pass" : "MISS";
}

/** The plain-text table, grouped, one row per measured subject and one line per target. */
export function renderBenchTable(report: BenchReport): string {
  const out: string[] = [];
  let group = "";
  for (const row of report.rows) {
    if (row.group !== group) {
      group = row.group;
      out.push("", group);
    }
    out.push(`  ${row.name}`);
    if (row.metrics.length) out.push(`      ${row.metrics.map(formatMetric).join("; ")}`);
    for (const note of row.notes) out.push(`      ${note}`);
    for (const t of row.targets) out.push(`      [${mark(t)}] ${t.goal}: ${t.actual}`);
  }
  const targets = report.rows.flatMap((r) => r.targets);
  const missed = targets.filter((t) => t.pass === false).length;
  const unjudged = targets.filter((t) => t.pass === undefined).length;
  out.push("", `targets: ${targets.length - missed - unjudged} pass, ${missed} missed, ${unjudged} not judged`);
  return out.join("\n").trimStart() + "\n";
}

/** A one-value metric (a count or a size measured once). */
export function single(label: string, value: number, unit: Unit): Metric {
  return { label, unit, value: { median: value, min: value, max: value, runs: 1 } };
}
