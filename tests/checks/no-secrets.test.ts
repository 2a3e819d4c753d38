import { describe, expect, it } from "vitest";
import { noSecretsCheck } from "../../src/checks/image/no-secrets.js";
import type { SecretFinding } from "../../src/secrets/types.js";
import { digestOf, evidence } from "./evidence.js";

const FULL = "AKIAIOSFODNN7REALKEY";
const planted: SecretFinding[] = [
  {
    ruleId: "aws-access-key-id",
    description: "AWS access key ID",
    location: { kind: "file", layer: { index: 3, digest: digestOf("l3"), createdBy: "COPY . /app  # a very long instruction that goes on and on and on" }, path: "app/.env", line: 2 },
    redacted: "AKIA************LKEY",
    fingerprint: "aws-access-key-id:sha256:x:app/.env:2",
    shadowed: true,
  },
  {
    ruleId: "generic-password",
    description: "Password in environment",
    location: { kind: "config", field: "Env", key: "DB_PASSWORD" },
    redacted: "hu*******42",
    fingerprint: "generic-password:config:DB_PASSWORD:0",
  },
];

describe("no-secrets", () => {
  it("passes with no findings", () => {
    expect(noSecretsCheck.judge(evidence({ secrets: [] })).verdict).toBe("pass");
  });

  it("fails with rule, layer, path:line, redacted value and the shadowed note, never the value", () => {
    const j = noSecretsCheck.judge(evidence({ secrets: planted }));
    expect(j.verdict).toBe("fail");
    expect(j.summary).toBe("2 secret(s) found, 1 in files deleted later but still shipped");
    expect(j.evidence).toEqual([
      `aws-access-key-id: layer 3 ${digestOf("l3").slice(0, 19)} (COPY . /app # a very long instruction that goes o…) app/.env:2 value AKIA************LKEY (deleted in a later layer, still shipped)`,
      "generic-password: image config Env/DB_PASSWORD value hu*******42",
    ]);
    expect(JSON.stringify(j)).not.toContain(FULL);
  });

  it("warns when no secret was found but a file was scanned only in part, naming it", () => {
    const note = { layer: { index: 4, digest: digestOf("l4"), createdBy: "COPY data/ /data" }, path: "data/dump.sql", message: "secret scan stopped after 67108864 bytes (maxFileBytes)" };
    const j = noSecretsCheck.judge(evidence({ secrets: [], scanNotes: [note] }));
    expect(j).toMatchObject({ verdict: "warn", summary: "no secrets found, but 1 file(s) were scanned only in part" });
    expect(j.evidence).toEqual(["not fully scanned: layer 4 data/dump.sql: secret scan stopped after 67108864 bytes (maxFileBytes)"]);
    const failing = noSecretsCheck.judge(evidence({ secrets: planted, scanNotes: [note] }));
    expect(failing.verdict).toBe("fail");
    expect(failing.evidence.at(-1)).toBe(j.evidence[0]);
  });
});
