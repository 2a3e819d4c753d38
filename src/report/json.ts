/**
 * The JSON report. Shape (schemaVersion 1; new fields may be added, none removed or renamed):
 *
 * {
 *   "schemaVersion": 1, "tool": "image-verify",
 *   "image": string, "runtime": string, "dockerfile"?: string (repository-relative, when verify() built it),
 *   "startedAt": ISO-8601 string, "durationMs": number,
 *   "passed": boolean,                       // no result has verdict "fail"
 *   "counts": { "pass", "fail", "warn", "skip": number },
 *   "results": [{ "id", "title", "severity", "verdict", "summary", "evidence": string[], "fix"?: string }],
 *   "secrets": [{ "ruleId", "description", "location", "redacted", "fingerprint", "shadowed": boolean }]
 * }
 * `location` is { kind: "file", layer: { index, digest, createdBy }, path, line } or
 * { kind: "config", field: "Env" | "Labels" | "history", key, layer?, historyIndex? }. Secret values appear
 * only in redacted form.
 */
import type { Report } from "../checks/types.js";
import { countVerdicts } from "./summary.js";

/** Pretty-printed JSON with keys in a fixed order, so two runs diff cleanly. */
export function renderJson(report: Report): string {
  const doc = {
    schemaVersion: 1,
    tool: "image-verify",
    image: report.image,
    runtime: report.runtime,
    ...(report.dockerfile ? { dockerfile: report.dockerfile } : {}),
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    passed: report.passed,
    counts: countVerdicts(report),
    results: report.results.map((r) => ({
      id: r.id, title: r.title, severity: r.severity, verdict: r.verdict, summary: r.summary, evidence: r.evidence,
      ...(r.fix ? { fix: r.fix } : {}),
    })),
    secrets: report.secrets.map((s) => ({
      ruleId: s.ruleId, description: s.description, location: s.location, redacted: s.redacted, fingerprint: s.fingerprint, shadowed: s.shadowed ?? false,
    })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
