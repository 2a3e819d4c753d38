/** How a skip says what was not gathered and why: one wording for runCheck and for checks that skip in part. */
import type { Evidence, EvidenceKey } from "./types.js";

/** `not gathered: project (no Python project metadata found in api)`. */
export function notGatheredSummary(missing: EvidenceKey[], evidence: Evidence): string {
  const why = missing.map((need) => evidence.notGathered?.[need]).filter(Boolean);
  return `not gathered: ${missing.join(", ")}${why.length ? ` (${[...new Set(why)].join("; ")})` : ""}`;
}
