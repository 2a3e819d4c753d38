/** Counts shared by the renderers. */
import type { Report, Verdict } from "../checks/types.js";

/** How many results have each verdict. */
export function countVerdicts(report: Report): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { pass: 0, fail: 0, warn: 0, skip: 0 };
  for (const r of report.results) counts[r.verdict]++;
  return counts;
}

/** "N passed, N failed, N warnings, N skipped". */
export function summaryLine(report: Report): string {
  const c = countVerdicts(report);
  return `${c.pass} passed, ${c.fail} failed, ${c.warn} warnings, ${c.skip} skipped`;
}
