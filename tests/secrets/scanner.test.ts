import { describe, expect, it } from "vitest";
import type { HistoryEntry, ImageConfig, LayerRef } from "../../src/image/types.js";
import { defaultRuleSet, loadSecretRules } from "../../src/secrets/load.js";
import { redact } from "../../src/secrets/redact.js";
import { createSecretScanner } from "../../src/secrets/scanner.js";
import { defaultConfig } from "../../src/config/schema.js";
import { LAYER, brief, checksummed, feed, scanFiles } from "./helpers.js";

const AKIA = "AKIAQYLPMN5HFIQR7XYZ";
const GHP = checksummed("ghp_", "Q7vN2kLm9XpR4tZs8WcYb3HjD6fGa1");
const DB_PW = "Xk9vQ2mLpR7t";

describe("redaction", () => {
  it("keeps at most 4 leading and 2 trailing characters, none under 12", () => {
    expect(redact("AKIAQYLPMN5HFIQR7XYZ")).toBe("AKIA**************YZ");
    expect(redact("Xk9vQ2mLpR7t")).toBe("Xk*********t");
    expect(redact("hunter2!xyz")).toBe("***********");
    expect(redact("x".repeat(3000))).toBe("xxxx****************xx");
  });

  it("never lets a planted secret into the findings", () => {
    const planted = [AKIA, GHP, DB_PW, "sk_live_51Hx9Kq2Lm7Vn4Rt8Wz1Yb5Cd3"];
    const findings = scanFiles({
      "app/a.py": `A = "${AKIA}"\nB = "${GHP}"\n`,
      "app/b.py": `DSN = "postgresql://app:${DB_PW}@db/app"\nS = "${planted[3]}"\n`,
    });
    expect(findings).toHaveLength(4);
    const json = JSON.stringify(findings);
    for (const s of planted) expect(json).not.toContain(s);
  });
});

describe("streaming", () => {
  const text = `# header\n\nimport os\nKEY = "${AKIA}"  # mid\nTOKEN = "${GHP}"\nDSN = "postgresql://app:${DB_PW}@db/app"\n`;
  const expected = [
    "aws-access-key-id app/x.py:4 AKIA**************YZ",
    `github-token app/x.py:5 ghp_****************${GHP.slice(-2)}`,
    "database-url-password app/x.py:6 Xk*********t",
  ];

  it.each([1, 2, 3, 5, 7, 13, 64, 65536])("gives the same findings for chunks of %i bytes", (chunk) => {
    expect(brief(scanFiles({ "app/x.py": text }, { chunk }))).toEqual(expected);
  });

  it("finds a secret in the middle of a 200 KB line and across a window cut, with the right line", () => {
    const filler = "ab+/".repeat(16 * 1024); // 64 KiB of base64-ish noise per block
    // Windows are 64 KiB with a 4 KiB overlap: the token below starts 20 bytes before the second window ends.
    const line = filler + ` k="${AKIA}" ` + filler.slice(0, 61393) + " " + GHP + " " + filler;
    expect(line.indexOf(GHP)).toBe(2 * 65536 - 4096 - 20);
    const findings = brief(scanFiles({ "app/min.js": `x\n${line}\ny = "${AKIA.replace("XYZ", "ABC")}"\n` }, { chunk: 4096 }));
    expect(findings).toEqual([
      "aws-access-key-id app/min.js:2 AKIA**************YZ",
      `github-token app/min.js:2 ghp_****************${GHP.slice(-2)}`,
      "aws-access-key-id app/min.js:3 AKIA**************BC",
    ]);
  });

  it.each([8192, 65536, 1 << 20])("finds secrets far apart on one 400 KB line (chunks of %i bytes)", (chunk) => {
    const filler = "ab+/".repeat(16 * 1024);
    // A keyword early, then 300 KB of keyword-free noise, then a token: every window is judged on its own hits.
    const line = ` k="${AKIA}" ${filler.repeat(5)} t=${GHP} ${filler}`;
    expect(brief(scanFiles({ "lib/bundle.min.js": `${line}
z = 1
` }, { chunk }))).toEqual([
      "aws-access-key-id lib/bundle.min.js:1 AKIA**************YZ",
      `github-token lib/bundle.min.js:1 ghp_****************${GHP.slice(-2)}`,
    ]);
  });

  it("follows a PEM body across chunks and lines", () => {
    const body = Array.from({ length: 5 }, (_, i) => Buffer.from(Array.from({ length: 48 }, (_, j) => (i * 48 + j) * 131 % 253)).toString("base64"));
    const pem = `KEY = (\n    "-----BEGIN EC PRIVATE KEY-----\\n"\n${body.map((b) => `    "${b}\\n"`).join("\n")}\n    "-----END EC PRIVATE KEY-----\\n"\n)\n`;
    expect(brief(scanFiles({ "app/keys.py": pem }, { chunk: 11 }))).toEqual([
      `private-key app/keys.py:2 ${body[0].slice(0, 4)}****************${body[4].slice(-2)}`,
    ]);
  });

  it("skips binary files by content and counts them", () => {
    const scanner = createSecretScanner({ rules: defaultRuleSet() });
    feed(scanner, "usr/lib/libx.so", Buffer.concat([Buffer.from("\x7fELF\0\0\0"), Buffer.from(` ${AKIA} `)]));
    feed(scanner, "app/ok.txt", `${AKIA}\n`);
    expect(brief(scanner.findings())).toEqual(["aws-access-key-id app/ok.txt:1 AKIA**************YZ"]);
    expect(scanner.stats()).toMatchObject({ filesScanned: 1, binarySkipped: 1 });
  });

  it("stops at the per-file cap with a note", () => {
    const scanner = createSecretScanner({ rules: defaultRuleSet(), maxFileBytes: 1000 });
    feed(scanner, "var/log/big.log", "x\n".repeat(600) + `${AKIA}\n`, 100);
    expect(scanner.findings()).toEqual([]);
    expect(scanner.notes()).toEqual([{ layer: LAYER, path: "var/log/big.log", message: "secret scan stopped after 1000 bytes (maxFileBytes)" }]);
  });

  it("fingerprints as rule:layer:path:line and attributes the layer", () => {
    const [f] = scanFiles({ "app/a.py": `\nA = "${AKIA}"\n` });
    expect(f.fingerprint).toBe("aws-access-key-id:ab12cd34ef56:app/a.py:2");
    expect(f.location).toEqual({ kind: "file", layer: LAYER, path: "app/a.py", line: 2 });
  });
});

describe("allowlists", () => {
  const files = { "app/a.py": `A = "${AKIA}"\n`, "app/vendor/b.py": `B = "${GHP}"\n`, "app/c.py": `C = "AKIAQYLPMN5HFIQR7ABC"\n` };

  it("drops findings by path, regex, stopword and fingerprint", async () => {
    const secrets = defaultConfig().secrets;
    secrets.allowlist = {
      paths: ["^app/vendor/"],
      regexes: ["(?i)^akiaqylpmn5hfiqr7abc$"],
      stopwords: [],
      fingerprints: ["aws-access-key-id:ab12cd34ef56:app/a.py:1"],
    };
    expect(scanFiles(files, { rules: await loadSecretRules(secrets, "/") })).toEqual([]);
    secrets.allowlist = { paths: [], regexes: [], stopwords: ["R7XYZ"], fingerprints: [] };
    expect(brief(scanFiles(files, { rules: await loadSecretRules(secrets, "/") })).map((s) => s.split(" ")[1])).toEqual([
      "app/vendor/b.py:1",
      "app/c.py:1",
    ]);
  });
});

describe("image config", () => {
  const layers: LayerRef[] = [
    { index: 0, digest: "sha256:" + "1".repeat(64), createdBy: "base" },
    { index: 1, digest: "sha256:" + "2".repeat(64), createdBy: "RUN npm ci" },
  ];
  const NPM = checksummed("npm_", "z8Kq2Lr5Vt9Wm3Xn7Yp1Bc4Df6Gh0J");
  const config: ImageConfig = {
    user: "1001",
    entrypoint: [],
    cmd: ["uvicorn", "app.main:app"],
    env: [
      "PATH=/usr/local/bin:/usr/bin",
      "GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D",
      "AWS_SECRET_ACCESS_KEY=hQ7mZ2vR9kLp4Xw8Tn3Bc6Yd1Fg5Js0Ae/Ku+WiO",
      "DB_PASSWORD=Tr0ub4dor-9x",
      "API_TOKEN=${API_TOKEN}",
      "SECRET_KEY_FILE=/run/secrets/key",
      `DATABASE_URL=postgresql://app:${DB_PW}@db/app`,
    ],
    workingDir: "/app",
    labels: { "org.opencontainers.image.source": "https://github.com/acme/notes", "deploy.token": "Zq8Wm3Xn7Yp1Bc4D" },
    exposedPorts: ["8000/tcp"],
  };
  const history: HistoryEntry[] = [
    { createdBy: "/bin/sh -c #(nop) ADD file:abc in /", emptyLayer: false, layerIndex: 0 },
    { createdBy: "ARG NPM_TOKEN", emptyLayer: true },
    { createdBy: `|1 NPM_TOKEN=${NPM} /bin/sh -c npm ci`, emptyLayer: false, layerIndex: 1 },
    { createdBy: "/bin/sh -c #(nop)  ENV GITHUB_TOKEN=" + GHP, emptyLayer: true },
    { createdBy: "ARG PIP_INDEX_PASSWORD=Qm3Lx8Vr2Kt7", emptyLayer: true },
  ];

  it("finds secrets in Env, Labels and history build args, mapped to layers", () => {
    const scanner = createSecretScanner({ rules: defaultRuleSet() });
    const findings = scanner.scanImageConfig(config, history, layers);
    expect(brief(findings)).toEqual([
      "aws-secret-access-key Env.AWS_SECRET_ACCESS_KEY hQ7m****************iO",
      "config-secret-variable Env.DB_PASSWORD Tr*********x",
      "database-url-password Env.DATABASE_URL Xk*********t",
      "config-secret-variable Labels.deploy.token Zq*************D",
      `npm-token history.2 npm_****************${NPM.slice(-2)}`,
      `github-token history.3 ghp_****************${GHP.slice(-2)}`,
      "config-secret-variable history.4 Qm*********7",
    ]);
    expect(findings[4].location).toEqual({ kind: "config", field: "history", key: "2", layer: layers[1], historyIndex: 2 });
    expect(findings[4].fingerprint).toBe("npm-token:config:history.2:0");
    expect(JSON.stringify(findings)).not.toContain(NPM);
  });
});
