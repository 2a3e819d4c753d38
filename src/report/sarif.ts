/**
 * SARIF 2.1.0 for code-scanning UIs: one result per secret finding and one per failed check. Where the
 * image lives is a logical location (the file inside the image, `image-config:Env/KEY`,
 * `image-config:<check id>`). The physical location is the Dockerfile that made the image when the
 * report names one, so GitHub code scanning shows the findings on it in a pull request; otherwise (a
 * tarball read by `image-verify inspect`) it is the logical location itself.
 */
import type { CheckResult, Report, Severity } from "../checks/types.js";
import { describeFinding } from "../checks/image/no-secrets.js";
import type { SecretFinding } from "../secrets/types.js";

type Level = "error" | "warning" | "note";
const LEVEL: Record<Severity, Level> = { critical: "error", high: "error", medium: "warning", low: "note" };

/** The SARIF rule id of a secret rule. */
export const secretRuleId = (ruleId: string): string => `secret/${ruleId}`;

function secretUri(finding: SecretFinding): string {
  const loc = finding.location;
  if (loc.kind === "file") return loc.path;
  return loc.field === "history" ? `image-config:history/${loc.historyIndex ?? 0}` : `image-config:${loc.field}/${loc.key}`;
}

/** A result's location: on the Dockerfile (line 1) when known, else on the place in the image itself. */
function location(where: string, dockerfile: string | undefined, line?: number) {
  const logicalLocations = [{ fullyQualifiedName: where, kind: "resource" }];
  if (dockerfile) return { physicalLocation: { artifactLocation: { uri: dockerfile }, region: { startLine: 1 } }, logicalLocations };
  return { physicalLocation: { artifactLocation: { uri: where }, ...(line ? { region: { startLine: line } } : {}) }, logicalLocations };
}

function secretResult(finding: SecretFinding, dockerfile: string | undefined) {
  const loc = finding.location;
  const layer = loc.layer;
  const line = loc.kind === "file" && loc.line > 0 ? loc.line : undefined;
  return {
    ruleId: secretRuleId(finding.ruleId),
    level: "error" as Level,
    message: { text: `${finding.description}: ${describeFinding(finding)} value ${finding.redacted}${finding.shadowed ? " (deleted in a later layer, still shipped)" : ""}` },
    locations: [location(secretUri(finding), dockerfile, line)],
    partialFingerprints: { "imageVerify/v1": finding.fingerprint },
    properties: {
      redacted: finding.redacted,
      shadowed: finding.shadowed ?? false,
      ...(layer ? { layerIndex: layer.index, layerDigest: layer.digest, createdBy: layer.createdBy } : {}),
    },
  };
}

function checkResult(r: CheckResult, dockerfile: string | undefined) {
  return {
    ruleId: r.id,
    level: LEVEL[r.severity],
    message: { text: [r.summary, ...r.evidence, ...(r.fix ? [`fix: ${r.fix}`] : [])].join("\n") },
    locations: [location(`image-config:${r.id}`, dockerfile)],
    properties: { severity: r.severity, evidence: r.evidence },
  };
}

/** The report as a SARIF 2.1.0 log (pretty-printed JSON). */
export function renderSarif(report: Report): string {
  const failed = report.results.filter((r) => r.verdict === "fail" && r.id !== "no-secrets");
  const secretRules = new Map(report.secrets.map((s) => [s.ruleId, s.description]));
  const rules = [
    ...report.results.map((r) => ({
      id: r.id,
      name: r.id,
      shortDescription: { text: r.title },
      defaultConfiguration: { level: LEVEL[r.severity] },
    })),
    ...[...secretRules].map(([id, description]) => ({
      id: secretRuleId(id),
      name: id,
      shortDescription: { text: description },
      defaultConfiguration: { level: "error" as Level },
    })),
  ];
  const log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "image-verify", rules } },
        results: [...report.secrets.map((f) => secretResult(f, report.dockerfile)), ...failed.map((r) => checkResult(r, report.dockerfile))],
        properties: { image: report.image, runtime: report.runtime, startedAt: report.startedAt, passed: report.passed },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
