/** What the module's functions print or fail with: short, one line per finding, secrets redacted. Pure. */
import { findingLine } from "../checks/image/no-secrets.js";
import type { Report } from "../checks/types.js";
import { summaryLine } from "../report/index.js";
import type { RunEvidence } from "../runtime/types.js";
import type { SecretFinding } from "../secrets/types.js";

/** The error of a failed verify: the count line, then one line per failed check. */
export function failureMessage(report: Report): string {
  const failed = report.results.filter((r) => r.verdict === "fail");
  const lines = failed.map((r) => `FAIL ${r.id} (${r.severity}): ${r.summary}`);
  return [`${report.image}: ${summaryLine(report)}`, ...lines].join("\n");
}

/** The error of scan-secrets: one line per finding (the shared format: redacted values only). */
export function secretsMessage(findings: SecretFinding[]): string {
  return [`${findings.length} secret(s) found in the image:`, ...findings.map(findingLine)].join("\n");
}

/** The health part of the serve evidence, short enough for a terminal. */
export function healthSummary(evidence: RunEvidence): Record<string, unknown> {
  return {
    healthy: evidence.timeToHealthyMs !== undefined,
    timeToHealthyMs: evidence.timeToHealthyMs,
    status: evidence.health?.status,
    body: evidence.health?.body.slice(0, 200),
    healthError: evidence.healthError,
    listening: evidence.listening,
    uids: evidence.uids,
  };
}
