/**
 * A check judges evidence; it never builds, runs or reads an image itself. Each check is one small file
 * in this folder, registered in ./index.ts, and tested by handing it evidence, with no engine at all.
 */
import type { VerifyConfig } from "../config/schema.js";
import type { ImageIndex, LayerRef } from "../image/types.js";
import type { ProjectFacts } from "../project/types.js";
import type { RunEvidence } from "../runtime/types.js";
import type { ScanNote, SecretFinding } from "../secrets/types.js";

export type Severity = "critical" | "high" | "medium" | "low";
/** "skip": the evidence this check needs was not gathered (e.g. runtime checks on a tarball alone). */
export type Verdict = "pass" | "fail" | "warn" | "skip";

/** Two images whose sources differ only in application code (the cache check's evidence). */
export interface CacheEvidence {
  first: ImageIndex;
  /** The second build's layers, from its manifest and config: diff_ids are all the comparison needs. */
  second: { layers: LayerRef[] };
  /** The application file changed between them. */
  touched: string;
}

/** Which build secrets the canary searched for; their values are never part of any evidence. */
export interface BuildSecretsEvidence {
  /** Ids whose values (and base64 and hex forms) were searched for. */
  searched: string[];
  /** Ids whose values are too short to search for without false matches. */
  tooShort: string[];
}

/** Everything gathered about one image; each part is optional, and checks say which they need. */
export interface Evidence {
  config: VerifyConfig;
  image?: ImageIndex;
  secrets?: SecretFinding[];
  /** Files the secret scan read only in part (cut at its per-file cap). */
  scanNotes?: ScanNote[];
  project?: ProjectFacts;
  serve?: RunEvidence;
  /** One run per required variable, keyed by the variable left out. */
  missingEnv?: Record<string, RunEvidence>;
  cache?: CacheEvidence;
  /** The build secrets handed to the build, whose values the scan looked for (the leak canary). */
  buildSecrets?: BuildSecretsEvidence;
  /** Why a part was not gathered (skipped on request, or impossible for this image), shown on the skips. */
  notGathered?: Partial<Record<EvidenceKey, string>>;
}

/** The parts of Evidence that checks can need. */
export type EvidenceKey = keyof Omit<Evidence, "config" | "notGathered" | "scanNotes">;

export interface Judgement {
  verdict: Verdict;
  /** One line: what was found. */
  summary: string;
  /** The proof: short lines (paths, layers, values with secrets redacted). */
  evidence: string[];
  /** One line: how to fix it, when the verdict is not pass. */
  fix?: string;
}

export interface Check {
  id: string;
  title: string;
  severity: Severity;
  /** The parts of Evidence this check needs; missing ones make the verdict "skip". */
  needs: EvidenceKey[];
  judge(evidence: Evidence): Judgement;
}

export interface CheckResult extends Judgement {
  id: string;
  title: string;
  severity: Severity;
}

export interface Report {
  image: string;
  runtime: string;
  /** The Dockerfile the image was built from, relative to the repository root (absent for a tarball). */
  dockerfile?: string;
  startedAt: string;
  durationMs: number;
  results: CheckResult[];
  secrets: SecretFinding[];
  /** True when no result is "fail". */
  passed: boolean;
}
