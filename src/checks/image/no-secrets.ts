/**
 * no-secrets: no secret in any layer (including files deleted later, still in the tarball) nor in the
 * image config (Env, Labels, history). Evidence names where, never what: values are redacted upstream.
 */
import { isCanaryRule } from "../../secrets/canary.js";
import type { ScanNote, SecretFinding } from "../../secrets/types.js";
import type { Check, Evidence, Judgement } from "../types.js";
import { capLines, shortDigest, truncate } from "./describe.js";

/** Where a finding is, in one line: layer, digest, instruction, path:line or config field. */
export function describeFinding(finding: SecretFinding): string {
  const loc = finding.location;
  if (loc.kind === "file") {
    const layer = `layer ${loc.layer.index} ${shortDigest(loc.layer.digest)} (${truncate(loc.layer.createdBy, 50) || "created by: unknown"})`;
    return `${layer} ${loc.path}:${loc.line}`;
  }
  const where = loc.field === "history" ? `history[${loc.historyIndex ?? "?"}]` : `${loc.field}/${loc.key}`;
  return `image config ${where}${loc.layer ? ` (layer ${loc.layer.index})` : ""}`;
}

/** One evidence line: rule, location, redacted value, and whether a later layer hides it. */
export function findingLine(finding: SecretFinding): string {
  const shadowed = finding.shadowed ? " (deleted in a later layer, still shipped)" : "";
  return `${finding.ruleId}: ${describeFinding(finding)} value ${finding.redacted}${shadowed}`;
}

/** A file the scan read only in part: a secret past the cap would go unseen, so it is said. */
function noteLine(note: ScanNote): string {
  return `not fully scanned: layer ${note.layer.index} ${note.path}: ${note.message}`;
}

function judge({ secrets: all, scanNotes = [] }: Evidence): Judgement {
  if (!all) throw new Error("secrets evidence missing");
  // A build secret's own value is build-secret-not-leaked's to report; a format rule's find of it stays here.
  const secrets = all.filter((s) => !isCanaryRule(s.ruleId));
  const notes = scanNotes.map(noteLine);
  if (secrets.length === 0 && notes.length === 0) {
    return { verdict: "pass", summary: "no secrets found in any layer or in the image config", evidence: [] };
  }
  if (secrets.length === 0) {
    return {
      verdict: "warn",
      summary: `no secrets found, but ${notes.length} file(s) were scanned only in part`,
      evidence: capLines(notes, 30),
      fix: "keep large text files out of the image, or check those files by hand",
    };
  }
  const shadowed = secrets.filter((s) => s.shadowed).length;
  return {
    verdict: "fail",
    summary: `${secrets.length} secret(s) found${shadowed ? `, ${shadowed} in files deleted later but still shipped` : ""}`,
    evidence: capLines([...secrets.map(findingLine), ...notes], 30),
    fix: "rotate these secrets; pass build secrets with RUN --mount=type=secret and runtime ones through the environment, never COPY or ENV them",
  };
}

/** The no-secrets check. */
export const noSecretsCheck: Check = {
  id: "no-secrets",
  title: "No secrets in layers or config",
  severity: "critical",
  needs: ["secrets"],
  judge,
};

/**
 * Mark findings in files that a later layer overwrites or deletes: the scanner sees each layer alone, so
 * only the merged view knows they are hidden yet still shipped. `hidden` holds "<layer index>:<path>" keys.
 */
export function markShadowed(findings: SecretFinding[], hidden: Iterable<{ layer: { index: number }; path: string }>): SecretFinding[] {
  const keys = new Set<string>();
  for (const h of hidden) keys.add(`${h.layer.index}:${h.path}`);
  return findings.map((f) =>
    f.location.kind === "file" && keys.has(`${f.location.layer.index}:${f.location.path}`) ? { ...f, shadowed: true } : f,
  );
}
