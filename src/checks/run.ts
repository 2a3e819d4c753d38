/** Running checks over gathered evidence, and assembling the Report. */
import type { SecretFinding } from "../secrets/types.js";
import { allChecks } from "./index.js";
import { notGatheredSummary } from "./not-gathered.js";
import type { Check, CheckResult, Evidence, Judgement, Report } from "./types.js";
import { firstLine } from "../text.js";

/** Judge one check: "skip" when its evidence was not gathered, "fail" (never a crash) when it throws. */
export function runCheck(check: Check, evidence: Evidence): CheckResult {
  const head = { id: check.id, title: check.title, severity: check.severity };
  const missing = check.needs.filter((need) => evidence[need] === undefined);
  if (missing.length > 0) {
    return { ...head, verdict: "skip", summary: notGatheredSummary(missing, evidence), evidence: [] };
  }
  let judgement: Judgement;
  try {
    judgement = check.judge(evidence);
  } catch (error) {
    judgement = { verdict: "fail", summary: `the check itself failed: ${firstLine(error)}`, evidence: [], fix: "report this as a bug of image-verify" };
  }
  return { ...head, ...judgement };
}

/** Judge every check in order. */
export function runChecks(evidence: Evidence, checks: Check[] = allChecks): CheckResult[] {
  return checks.map((check) => runCheck(check, evidence));
}

export interface ReportInput {
  /** What was verified: an image name or tarball path. */
  image: string;
  /** Which runtime gathered the evidence: "dagger", "docker" or "none" (tarball only). */
  runtime: string;
  /** The Dockerfile the image was built from, relative to the repository root, when verify() built it. */
  dockerfile?: string;
  startedAt: Date;
  results: CheckResult[];
  secrets?: SecretFinding[];
  /** Defaults to the time elapsed since startedAt. */
  durationMs?: number;
}

/** The Report of a run: passed when no result failed (warnings and skips allowed). */
export function buildReport(input: ReportInput): Report {
  return {
    image: input.image,
    runtime: input.runtime,
    ...(input.dockerfile ? { dockerfile: input.dockerfile } : {}),
    startedAt: input.startedAt.toISOString(),
    durationMs: input.durationMs ?? Date.now() - input.startedAt.getTime(),
    results: input.results,
    secrets: input.secrets ?? [],
    passed: input.results.every((r) => r.verdict !== "fail"),
  };
}
