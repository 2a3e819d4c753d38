import { describe, expect, it } from "vitest";
import { REPORT_FORMATS, renderJson, renderJUnit, renderReport, renderSarif, renderTable } from "../../src/report/index.js";
import { PLANTED, findings, sampleReport } from "./sample.js";

const report = sampleReport();
const verdicts = Object.fromEntries(report.results.map((r) => [r.id, r.verdict]));

describe("sample report", () => {
  it("has every verdict", () => {
    expect(verdicts).toMatchObject({ "non-root": "fail", "no-secrets": "fail", "forbidden-files": "fail", "no-dev-dependencies": "skip", "bytecode-compiled": "warn", "size-budget": "pass" });
  });
});

describe("renderTable", () => {
  const text = renderTable(report);
  it("prints one line per check, proof under non-pass, secrets, and the count line", () => {
    const lines = text.split("\n");
    expect(lines).toContain("FAIL  non-root                 Runs as a numeric non-root user: USER \"root\" is root (uid 0)");
    expect(lines).toContain("SKIP  no-dev-dependencies      No development dependencies installed: not gathered: project");
    expect(lines).toContain('      config User: "root"');
    expect(lines.some((l) => l.startsWith("      fix: "))).toBe(true);
    expect(lines).toContain("Secrets (2, values redacted):");
    expect(lines.at(-2)).toBe("4 passed, 3 failed, 1 warnings, 3 skipped");
    // A pass shows no evidence below it.
    const sizeAt = lines.findIndex((l) => l.startsWith("PASS  size-budget"));
    expect(lines[sizeAt + 1]).toMatch(/^(PASS|FAIL|WARN|SKIP) {2}/);
  });
});

describe("renderJson", () => {
  it("has the documented, stable shape", () => {
    const doc = JSON.parse(renderJson(report));
    expect(Object.keys(doc)).toEqual(["schemaVersion", "tool", "image", "runtime", "startedAt", "durationMs", "passed", "counts", "results", "secrets"]);
    expect(doc).toMatchObject({ schemaVersion: 1, tool: "image-verify", passed: false, counts: { pass: 4, fail: 3, warn: 1, skip: 3 } });
    expect(Object.keys(doc.results[0])).toEqual(["id", "title", "severity", "verdict", "summary", "evidence", "fix"]);
    expect(doc.secrets[1]).toEqual({ ...findings[1], shadowed: false });
  });
});

describe("renderJUnit", () => {
  const xml = renderJUnit(report);
  const testcases = [...xml.matchAll(/<testcase classname="([^"]*)" name="([^"]*)" time="0">([\s\S]*?)<\/testcase>/g)];

  it("has one suite and one testcase per check, with failures and skips", () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')).toBe(true);
    expect(xml.match(/<testsuite /g)).toHaveLength(1);
    expect(xml).toContain('<testsuite name="image-verify" tests="11" failures="3" errors="0" skipped="3"');
    expect(testcases).toHaveLength(report.results.length);
    const nonRoot = testcases.find((t) => t[2].startsWith("non-root: "));
    expect(nonRoot?.[3]).toContain('<failure message="USER &quot;root&quot; is root (uid 0)" type="high">config User: &quot;root&quot;');
    expect(xml.match(/<skipped message="not gathered: [a-zA-Z]+"\/>/g)).toHaveLength(3);
    expect(testcases.find((t) => t[2].startsWith("size-budget"))?.[3]).toBe("");
  });

  it("escapes markup, so the document's only tags are its own", () => {
    expect(xml).toContain("notes-api &lt;prod&gt; &amp; co");
    expect(xml).toContain("COPY . /app # &lt;&quot;&amp;&quot;&gt;");
    const tags = new Set([...xml.matchAll(/<\/?([a-zA-Z?-]+)/g)].map((m) => m[1]));
    expect([...tags].sort()).toEqual(["?xml", "failure", "properties", "property", "skipped", "system-out", "testcase", "testsuite", "testsuites"]);
    expect(renderJUnit({ ...report, image: "a\u0000b\u001bc" })).toContain('value="abc"');
  });
});

describe("renderSarif", () => {
  const log = JSON.parse(renderSarif(report));
  const run = log.runs[0];

  it("is a SARIF 2.1.0 log with rules and results for secrets and failed checks", () => {
    expect(log.version).toBe("2.1.0");
    expect(log.$schema).toContain("sarif-2.1.0");
    expect(run.tool.driver.name).toBe("image-verify");
    const ruleIds = run.tool.driver.rules.map((r: { id: string }) => r.id);
    for (const result of run.results) {
      expect(ruleIds).toContain(result.ruleId);
      expect(["error", "warning", "note"]).toContain(result.level);
      expect(result.message.text.length).toBeGreaterThan(0);
      expect(result.locations[0].physicalLocation.artifactLocation.uri.length).toBeGreaterThan(0);
    }
    expect(run.results.map((r: { ruleId: string }) => r.ruleId)).toEqual(["secret/generic-api-key", "secret/db-password", "non-root", "forbidden-files"]);
  });

  it("locates secrets at the path inside the image or the config field, with the layer in properties", () => {
    const [file, env] = run.results;
    expect(file.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: "app/config/settings.py" }, region: { startLine: 12 } });
    expect(file.locations[0].logicalLocations).toEqual([{ fullyQualifiedName: "app/config/settings.py", kind: "resource" }]);
    expect(file.properties).toMatchObject({ layerIndex: 1, createdBy: 'COPY . /app # <"&">', shadowed: true });
    expect(file.properties.layerDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(file.partialFingerprints["imageVerify/v1"]).toBe(findings[0].fingerprint);
    expect(env.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: "image-config:Env/DATABASE_URL" } });
  });

  it("puts every result on the Dockerfile when the report names it, keeping the place in the image", () => {
    const built = JSON.parse(renderSarif({ ...report, dockerfile: "api/Dockerfile.prod" })).runs[0];
    for (const result of built.results) {
      expect(result.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: "api/Dockerfile.prod" }, region: { startLine: 1 } });
    }
    expect(built.results.map((r: { locations: { logicalLocations: { fullyQualifiedName: string }[] }[] }) => r.locations[0].logicalLocations[0].fullyQualifiedName))
      .toEqual(["app/config/settings.py", "image-config:Env/DATABASE_URL", "image-config:non-root", "image-config:forbidden-files"]);
  });
});

describe("every renderer", () => {
  it.each(REPORT_FORMATS)("%s never contains the planted full secret", (format) => {
    const out = renderReport(report, format);
    expect(out.length).toBeGreaterThan(100);
    expect(out).not.toContain(PLANTED);
    expect(out).toContain("Zq8s****************ue77");
  });
});
