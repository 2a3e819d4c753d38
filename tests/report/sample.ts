/** A report with every verdict, a secret planted in the image, and characters that need escaping. */
import { imageChecks } from "../../src/checks/index.js";
import { buildReport, runChecks } from "../../src/checks/run.js";
import type { Report } from "../../src/checks/types.js";
import type { SecretFinding } from "../../src/secrets/types.js";
import { digestOf, evidence, group, image, passwd } from "../checks/evidence.js";

/** The planted full secret: no renderer output may contain it. */
export const PLANTED = "Zq8sPlantedS3cretValue77";

export const findings: SecretFinding[] = [
  {
    ruleId: "generic-api-key",
    description: "Generic API key",
    location: { kind: "file", layer: { index: 1, digest: digestOf("l1"), createdBy: 'COPY . /app # <"&">' }, path: "app/config/settings.py", line: 12 },
    redacted: "Zq8s****************ue77",
    fingerprint: "generic-api-key:sha256:l1:app/config/settings.py:12",
    shadowed: true,
  },
  {
    ruleId: "db-password",
    description: "Password in a connection URL",
    location: { kind: "config", field: "Env", key: "DATABASE_URL" },
    redacted: "postgresql://app:****@db/x",
    fingerprint: "db-password:config:DATABASE_URL:0",
  },
];

/** Checks run over an image whose CMD carries the planted secret, plus the findings above. */
export function sampleReport(): Report {
  const img = image(
    [
      { createdBy: "FROM python:3.12-slim", files: ["usr/bin/python3"] },
      { createdBy: 'COPY . /app # <"&">', files: ["app/.env", "app/config/settings.py"] },
    ],
    { user: "root", healthcheck: { test: ["CMD", "python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/api/v1/health')"] }, cmd: ["uvicorn", "app.main:app", `--db=postgresql://app:${PLANTED}@db/x`], env: [`DATABASE_URL=postgresql://app:${PLANTED}@db/x`] },
    { "etc/passwd": passwd(), "etc/group": group() },
  );
  const results = runChecks(evidence({ image: img, secrets: findings }), imageChecks);
  return buildReport({ image: "notes-api <prod> & co", runtime: "none", startedAt: new Date("2026-01-02T03:04:05Z"), durationMs: 1234, results, secrets: findings });
}
