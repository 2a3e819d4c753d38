/** The report renderers, by format name. */
import type { Report } from "../checks/types.js";
import { renderJson } from "./json.js";
import { renderJUnit } from "./junit.js";
import { renderSarif } from "./sarif.js";
import { renderTable } from "./table.js";

export { renderJson, renderJUnit, renderSarif, renderTable };
export { countVerdicts, summaryLine } from "./summary.js";

/** Output formats of the CLI and the Dagger module. */
export const REPORT_FORMATS = ["table", "json", "junit", "sarif"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Render a report in `format`. */
export function renderReport(report: Report, format: ReportFormat): string {
  const render = { table: renderTable, json: renderJson, junit: renderJUnit, sarif: renderSarif }[format];
  return render(report);
}
