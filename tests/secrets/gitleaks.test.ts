import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../src/config/schema.js";
import { parseGitleaksConfig } from "../../src/secrets/gitleaks.js";
import { loadSecretRules } from "../../src/secrets/load.js";
import { brief, scanFiles } from "./helpers.js";

const TOML = `
title = "acme gitleaks config"

[extend]
useDefault = true
disabledRules = ["slack-webhook"]

[[rules]]
id = "acme-internal-token"
description = "ACME internal API token"
regex = '''(?i)\\b(acme_[a-z0-9]{32})(?:['"\\s;]|$)'''
secretGroup = 1
entropy = 3.0
keywords = ["acme_"]
  [[rules.allowlists]]
  description = "the documented test token"
  regexes = ['''acme_0{32}''']
  [[rules.allowlists]]
  paths = ['''(^|/)tests?/''']

[[rules]]
id = "acme-keystore"
description = "ACME keystore file"
path = '''\\.acmeks$'''

[allowlist]
description = "global"
stopwords = ["sandbox"]
`;

const TOKEN = "acme_k9x2lm7vn4rt8wz1yb5cd3fg6hj0ks2q";

async function rulesFrom(toml: string) {
  const dir = mkdtempSync(join(tmpdir(), "gitleaks-"));
  writeFileSync(join(dir, ".gitleaks.toml"), toml);
  const secrets = { ...defaultConfig().secrets, builtinRules: false, gitleaksConfig: ".gitleaks.toml" };
  return loadSecretRules(secrets, dir);
}

describe("gitleaks import", () => {
  it("imports rules, (?i) regexes, allowlists, path rules and [extend]", async () => {
    const rules = await rulesFrom(TOML);
    const ids = rules.rules.map((r) => r.id);
    expect(ids).toContain("aws-access-key-id"); // useDefault maps to our built-ins
    expect(ids).not.toContain("slack-webhook");
    const findings = scanFiles(
      {
        "app/client.py": `T = "${TOKEN.toUpperCase().replace("ACME_", "acme_")}"\nD = "acme_${"0".repeat(32)}"\n`,
        "app/tests/test_client.py": `T = "${TOKEN}"\n`,
        "app/sandbox.py": `T = "acme_sandbox7vn4rt8wz1yb5cd3fg6h"\n`,
        "etc/acme/prod.acmeks": "binary-ish\n",
        "app/aws.py": 'K = "AKIAQYLPMN5HFIQR7XYZ"\n',
      },
      { rules },
    );
    expect(brief(findings)).toEqual([
      "acme-internal-token app/client.py:1 acme****************2Q",
      "acme-keystore etc/acme/prod.acmeks:0 (file)",
      "aws-access-key-id app/aws.py:1 AKIA**************YZ",
    ]);
  });

  it("rejects what RE2 cannot compile, naming the rule", () => {
    const bad = `[[rules]]\nid = "lookahead"\nregex = '''secret(?=[0-9])'''\n`;
    expect(() => parseGitleaksConfig(bad, "g.toml")).toThrow(/^g\.toml: rule "lookahead": regex does not compile as RE2\/Go syntax/);
    expect(() => parseGitleaksConfig("[[rules]]\nregex = 'x'\n", "g.toml")).toThrow('g.toml: rules[0] has no "id"; give every rule an id');
    expect(() => parseGitleaksConfig("[[rules\n", "g.toml")).toThrow(/^g\.toml: not valid TOML/);
  });

  it("says which file is missing", async () => {
    const secrets = { ...defaultConfig().secrets, gitleaksConfig: "nope.toml" };
    await expect(loadSecretRules(secrets, "/nonexistent")).rejects.toThrow(
      "secrets.gitleaksConfig: cannot read /nonexistent/nope.toml; fix the path (relative to the repository root)",
    );
  });
});

describe("user rules", () => {
  it("run in linear time: (a+)+$ on 50 KB of 'a' then '!' finishes well under a second", async () => {
    const secrets = {
      ...defaultConfig().secrets,
      builtinRules: false,
      rules: [{ id: "redos", regex: "(a+)+$", keywords: [] as string[] }],
    };
    const rules = await loadSecretRules(secrets, "/");
    const start = performance.now();
    const findings = scanFiles({ "app/a.txt": "a".repeat(50_000) + "!\n" }, { rules, chunk: 65536 });
    expect(performance.now() - start).toBeLessThan(1000);
    expect(findings).toEqual([]);
  });

  it("accept RE2 syntax with a path filter and a secret group", async () => {
    const secrets = {
      ...defaultConfig().secrets,
      builtinRules: false,
      rules: [{ id: "corp-key", regex: "(?i)corp_key\\s*=\\s*(\\w{16,})", path: "\\.cfg$", keywords: ["corp_key"], secretGroup: 1 }],
    };
    const rules = await loadSecretRules(secrets, "/");
    const text = "CORP_KEY = q8Wn3Zr5Lm2Vt7Kx9\n";
    expect(brief(scanFiles({ "etc/app.cfg": text, "etc/app.txt": text }, { rules }))).toEqual(["corp-key etc/app.cfg:1 q8**************9"]);
  });
});
