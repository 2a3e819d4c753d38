/** The human report: one line per check, the proof under each non-pass, the secrets, a count line. */
import { findingLine } from "../checks/image/no-secrets.js";
import type { Report, Verdict } from "../checks/types.js";
import { summaryLine } from "./summary.js";

const MARK: Record<Verdict, string> = { pass: "PASS", fail: "FAIL", warn: "WARN", skip: "SKIP" };

/** Plain text (no colour codes, so it reads the same in CI logs and files). */
export function renderTable(report: Report): string {
  const idWidth = Math.max(0, ...report.results.map((r) => r.id.length));
  const lines = [`image-verify: ${report.image} (runtime: ${report.runtime}, ${(report.durationMs / 1000).toFixed(1)} s)`, ""];
  for (const r of report.results) {
    lines.push(`${MARK[r.verdict]}  ${r.id.padEnd(idWidth)}  ${r.title}: ${r.summary}`);
    if (r.verdict === "pass" || r.verdict === "skip") continue;
    for (const e of r.evidence) lines.push(`      ${e}`);
    if (r.fix) lines.push(`      fix: ${r.fix}`);
  }
  if (report.secrets.length > 0) {
    lines.push("", `Secrets (${report.secrets.length}, values redacted):`);
    for (const s of report.secrets) lines.push(`  ${findingLine(s)}`);
  }
  lines.push("", summaryLine(report));
  return `${lines.join("\n")}\n`;
}
