import { describe, expect, it } from "vitest";
import { hasValidTokenChecksum } from "../../src/secrets/checksum.js";
import { brief, checksummed, scanFiles } from "./helpers.js";

const GHP = checksummed("ghp_", "Q7vN2kLm9XpR4tZs8WcYb3HjD6fGa1");
const NPM = checksummed("npm_", "z8Kq2Lr5Vt9Wm3Xn7Yp1Bc4Df6Gh0J");

/** One snippet per rule that must be found, with the exact finding. */
const positives: Array<[string, string, string, string]> = [
  ["aws-access-key-id", "app/aws.py", 'KEY_ID = "AKIAQYLPMN5HFIQR7XYZ"\n', "aws-access-key-id app/aws.py:1 AKIA**************YZ"],
  ["aws-secret-access-key", "app/aws.py", "x = 1\naws_secret_access_key = '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'\n", "aws-secret-access-key app/aws.py:2 hQ7m****************iO"],
  ["azure-storage-connection-string", "app/az.txt", `conn = "DefaultEndpointsProtocol=https;AccountName=prodstore;AccountKey=${"k9Xq2Lm7Vn4Rt8Wz1Yb5Cd3Fg6Hj0Ks".repeat(3).slice(0, 86)}==;EndpointSuffix=core.windows.net"\n`, "azure-storage-connection-string app/az.txt:1 k9Xq****************=="],
  ["github-token", "app/gh.py", `TOKEN = "${GHP}"\n`, `github-token app/gh.py:1 ghp_****************${GHP.slice(-2)}`],
  ["github-fine-grained-pat", "app/gh.py", `t = "github_pat_11ABCDEFG0aZ9yX8wV7uT6_${"sR5qP4oN3mL2kJ1iH0gF9eD8cB7aZ6yX5wV4uT3sR2qP1oN0mL9kJ8iH7gF6eD5c".slice(0, 59)}"\n`, "github-fine-grained-pat app/gh.py:1 gith****************gF"],
  ["gitlab-pat", "srv/ci.sh", "export GL=glpat-x7Kq9Zr2Lm4Vt8Wn3Yb1\n", "gitlab-pat srv/ci.sh:1 glpa****************b1"],
  ["slack-token", "app/s.py", 'SLACK = "xoxb-1234567890-9876543210-Ab3Cd5Ef7Gh9Ij1Kl3Mn5Op7"\n', "slack-token app/s.py:1 xoxb****************p7"],
  ["slack-webhook", "app/s.py", 'HOOK = "https://hooks.slack.com/services/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"\n', "slack-webhook app/s.py:1 q8Wn****************1D"],
  ["stripe-live-key", "app/pay.py", 'stripe.api_key = "sk_live_51Hx9Kq2Lm7Vn4Rt8Wz1Yb5Cd3"\n', "stripe-live-key app/pay.py:1 sk_l****************d3"],
  ["npm-token", "app/build.sh", `echo ${NPM}\n`, `npm-token app/build.sh:1 npm_****************${NPM.slice(-2)}`],
  ["pypi-token", "app/up.sh", `twine upload -p pypi-AgEIcHlwaS5vcmcCJDk3ZjNhM2E2LTk4ZGEtNGQ1Zi1iYjQ3LTljMzQ0Y2ZmOTU4MQACKlszLCJ4\n`, "pypi-token app/up.sh:1 pypi****************J4"],
  ["dockerhub-pat", "app/push.sh", "docker login -p dckr_pat_Xk9vQ2mLpR7tZ3wB8nC4yD6fG1h\n", "dockerhub-pat app/push.sh:1 dckr****************1h"],
  ["database-url-password", "app/db.py", 'DSN = "postgresql+psycopg://app:Xk9vQ2mLpR7t@db.internal:5432/notes"\n', "database-url-password app/db.py:1 Xk*********t"],
  ["generic-secret-assignment", "app/config.yaml", "db:\n  host: db\n  password: 'R7t#Xk9vQ2mLp'\n", "generic-secret-assignment app/config.yaml:3 R7**********p"],
  ...aiAndMessagingPositives(),
];

/** Token formats whose values are assembled at run time, so this file holds no live-looking literal. */
function aiAndMessagingPositives(): Array<[string, string, string, string]> {
  const noise = "Xk9vQ2mLpR7tZ3wB8nC4yD6fG1hJ5kL0oP2qS4uV6wYa7Hb3Nc9Md2Fe5Gg8Ki1Lj4";
  const openai = `sk-proj-${noise.slice(0, 40)}${["T3Blbk", "FJ"].join("")}${noise.slice(20, 60)}`;
  const anthropic = `${["sk-", "ant-"].join("")}api03-${(noise + noise).slice(0, 93)}AA`;
  const hf = `${["h", "f_"].join("")}${noise.replace(/[^A-Za-z]/g, "").slice(0, 34)}`;
  const sendgrid = `${["S", "G."].join("")}${noise.slice(0, 22)}.${noise.slice(10, 53)}`;
  const twilio = `${["S", "K"].join("")}${"9f3b1c7e5a2d4f6b8c0e1a3d5f7b9c2e"}`;
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const jwt = `${part({ alg: "HS256", typ: "JWT" })}.${part({ sub: "svc-billing", scope: "invoices:write" })}.${noise.slice(0, 43)}`;
  const r = (s: string) => `${s.slice(0, 4)}****************${s.slice(-2)}`;
  return [
    ["openai-api-key", "app/llm.py", `client = OpenAI(api_key="${openai}")\n`, `openai-api-key app/llm.py:1 ${r(openai)}`],
    ["anthropic-api-key", "app/llm.py", `KEY = "${anthropic}"\n`, `anthropic-api-key app/llm.py:1 ${r(anthropic)}`],
    ["huggingface-token", "root/.cache/huggingface/token", `${hf}\n`, `huggingface-token root/.cache/huggingface/token:1 ${r(hf)}`],
    ["sendgrid-api-key", "app/mail.py", `msg.send(key="${sendgrid}")\n`, `sendgrid-api-key app/mail.py:1 ${r(sendgrid)}`],
    ["twilio-api-key", "app/sms.py", `TWILIO_API_KEY = "${twilio}"\n`, `twilio-api-key app/sms.py:1 ${r(twilio)}`],
    ["jwt", "app/config/prod.yaml", `service_jwt: ${jwt}\n`, `jwt app/config/prod.yaml:1 ${r(jwt)}`],
  ];
}

describe("built-in rules: true positives", () => {
  it.each(positives)("%s", (_id, path, text, expected) => {
    expect(brief(scanFiles({ [path]: text }))).toEqual([expected]);
  });

  it("validates GitHub and npm checksums", () => {
    expect(hasValidTokenChecksum(GHP)).toBe(true);
    expect(hasValidTokenChecksum(GHP.slice(0, -1) + (GHP.endsWith("A") ? "B" : "A"))).toBe(false);
  });

  it("finds database URL passwords for every scheme", () => {
    const text = [
      "mysql://svc:Qm3Lx8Vr2Kt@db/x",
      "mongodb+srv://svc:Qm3Lx8Vr2Kt@cluster0.mongodb.net/x",
      "redis://:Qm3Lx8Vr2Kt@cache:6379/0",
      "amqp://svc:Qm3Lx8Vr2Kt@mq:5672//",
    ].join("\n");
    expect(brief(scanFiles({ "app/urls.txt": text })).map((s) => s.split(" ").slice(0, 2).join(" "))).toEqual([
      "database-url-password app/urls.txt:1",
      "database-url-password app/urls.txt:2",
      "database-url-password app/urls.txt:3",
      "database-url-password app/urls.txt:4",
    ]);
  });
});

/** Realistic false positives, most of them met in a real venv, node_modules or docs. */
const negatives: Array<[string, string, string]> = [
  ["AWS docs example key id", "lib/boto_docs.py", 'aws_access_key_id = "AKIAIOSFODNN7EXAMPLE"\n'],
  ["AWS docs example secret", "lib/docs.rst", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"],
  ["regex source describing tokens", "lib/detect.py", 'GH = re.compile(r"ghp_[A-Za-z0-9]{36}")\nAWS = r"(AKIA|ASIA)[A-Z0-9]{16}"\nSTRIPE = "sk_live_[0-9a-zA-Z]{24}"\n'],
  ["ghp_ without a valid checksum", "lib/tests/test_tok.py", 'tok = "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"\n'],
  ["npm_ without a valid checksum", "lib/x.js", 'const t = "npm_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789";\n'],
  ["placeholder DB URLs", "lib/psycopg/conninfo.py", [
    '"postgresql://user:password@localhost/db"',
    '"postgresql://scott:tiger@localhost/test"',
    '"amqp://guest:guest@localhost//"',
    '"postgres://postgres:postgres@127.0.0.1/postgres"',
    'f"postgresql://{user}:{password}@{host}/{db}"',
    '"postgresql://app:${DB_PASSWORD}@db/app"',
    '"mysql://root:<password>@host/db"',
    '"redis://:***@cache"',
    '"postgresql://user:secret@localhost/mydb"',
    '"postgresql://%(user)s:%(password)s@%(host)s"',
    "r'postgres(?:ql)?://(?P<user>[^:]*):(?P<password>[^@]*)@'",
  ].join("\n") + "\n"],
  ["Slack docs webhook", "lib/docs.md", "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX\n"],
  ["Slack placeholder token", "lib/docs.md", "SLACK_TOKEN=xoxb-your-token-here\n"],
  ["private key header without a body", "lib/ssl_helpers.py", 'if data.startswith(b"-----BEGIN RSA PRIVATE KEY-----"):\n    kind = "rsa"\nPEM = "-----BEGIN PRIVATE KEY-----\\n...\\n-----END PRIVATE KEY-----"\n'],
  ["private key with an elided body", "lib/README.md", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA...\n-----END OPENSSH PRIVATE KEY-----\n"],
  ["RECORD hashes of a dist-info", "usr/lib/python3/site-packages/fastapi-0.115.0.dist-info/RECORD", "fastapi/__init__.py,sha256=5sF9vWkLm3Qx8ZrT2yBnC4dE6gH1jK7pL0oI9uY3tRw,1081\nfastapi/applications.py,sha256=Xk9vQ2mLpR7tZ3wB8nC4yD6fG1hJ5kL0oP2qS4uV6wY,176316\n"],
  ["UUIDs, git SHAs and hashes in config", "app/lock.json", '{"token_id": "3f2b8c1e-9d4a-4b7e-8f6c-2a1d0e9b7c5f", "commit": "9fceb02d0ae598e95dc970b74767f19372d61af8", "secret_hash": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}\n'],
  ["env references in settings.py", "app/settings.py", 'SECRET_KEY = os.environ["SECRET_KEY"]\nDB_PASSWORD = env("DB_PASSWORD")\nAPI_TOKEN: str = ""\n'],
  ["generic assignments outside config files", "lib/pydantic/types.py", 'password = "Xk9vQ2mLpR7tZ3wB"\n'],
  ["translated messages keyed by token", "lib/messages.json", '  "Unexpected_token_1012": "Jeton inattendu.",\n  "Unexpected_token_1382": "未預期的語彙基元。",\n'],
  ["identifier and URL values in YAML", "app/openapi.yaml", "tokenUrl: https://auth.example.org/token\npassword_field: password_input\nsecretName: DATABASE_CREDENTIALS\naccess_token_expires: 3600\n"],
  ["base64 noise", "lib/data.json", `{"blob": "${Buffer.from("x".repeat(300).split("").map((_, i) => String.fromCharCode(33 + ((i * 37) % 90))).join("")).toString("base64")}"}\n`],
  ["Azurite emulator key", "lib/azure/consts.py", 'CONN = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"\n'],
  ["template .env", "app/.env.example", "DB_PASSWORD=Xk9vQ2mLpR7t\n"],
  ["empty .env", "app/.env", "# nothing here\nDEBUG=\n"],
  ["npmrc with a variable", "root/.npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"],
  ["Stripe test key", "app/pay.py", 'stripe.api_key = "sk_test_51Hx9Kq2Lm7Vn4Rt8Wz1Yb5Cd3"\n'],
  ["jwt.io's example token", "lib/jose/README.md", `${["eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ", "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"].join(".")}\n`],
  ["unsigned JWT (alg none)", "lib/tests/data.txt", `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from('{"sub":"a-user-id"}').toString("base64url")}.c2lnbmF0dXJlLXBhcnQtaGVyZQ\n`],
  ["base64 that only looks like a JWT", "lib/blob.txt", "eyJub3QganNvbiBhdCBhbGw.eyJhbHNvIG5vdCBqc29uIGF0IGFsbA.c2lnbmF0dXJlLXBhcnQtaGVyZQ\n"],
  ["placeholder Hugging Face token", "lib/docs.md", "HF_TOKEN=hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"],
  ["Python msg. lines and hex after sk", "lib/log.py", "msg.append(x)\nmsg.extend(rows)\ntask0123456789abcdef0123456789abcdef = 1\ndisk = 'SK0123456789abcdef0123456789abcdef0'\n"],
];

describe("built-in rules: realistic false positives", () => {
  it.each(negatives)("%s", (_name, path, text) => {
    expect(brief(scanFiles({ [path]: text }))).toEqual([]);
  });

  it("reads a .pyc as marshal data, not as text: bytes that are no marshal object give nothing", () => {
    const pyc = Buffer.concat([Buffer.from([0xa7, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0]), Buffer.from(`ghp=${GHP} AKIAQYLPMN5HFIQR7XYZ`)]);
    expect(scanFiles({ "app/__pycache__/aws.cpython-311.pyc": pyc })).toEqual([]);
  });
});

describe("file rules", () => {
  const KEY_BODY = Array.from({ length: 6 }, (_, i) =>
    Buffer.from(Array.from({ length: 48 }, (_, j) => (i * 48 + j) * 97 % 251)).toString("base64"),
  );
  const PEM = `-----BEGIN RSA PRIVATE KEY-----\n${KEY_BODY.join("\n")}\n-----END RSA PRIVATE KEY-----\n`;

  it("reports private keys in key files and elsewhere, with a body only", () => {
    expect(brief(scanFiles({ "root/.ssh/id_rsa": PEM, "app/certs/server.key": PEM, "app/notes.txt": "see below\n" + PEM }))).toEqual([
      `private-key-file root/.ssh/id_rsa:1 ${KEY_BODY[0].slice(0, 4)}****************${KEY_BODY[5].slice(-2)}`,
      `private-key-file app/certs/server.key:1 ${KEY_BODY[0].slice(0, 4)}****************${KEY_BODY[5].slice(-2)}`,
      `private-key app/notes.txt:2 ${KEY_BODY[0].slice(0, 4)}****************${KEY_BODY[5].slice(-2)}`,
    ]);
  });

  it("reports a GCP service account JSON once, whatever the key order", () => {
    const pk = `-----BEGIN PRIVATE KEY-----\\n${KEY_BODY.join("\\n")}\\n-----END PRIVATE KEY-----\\n`;
    const sorted = `{\n  "client_email": "svc@p.iam.gserviceaccount.com",\n  "private_key": "${pk}",\n  "type": "service_account"\n}\n`;
    expect(brief(scanFiles({ "app/sa.json": sorted })).map((s) => s.split(" ").slice(0, 2).join(" "))).toEqual([
      "gcp-service-account-key app/sa.json:3",
    ]);
    const other = `{\n  "private_key": "${pk}"\n}\n`;
    expect(brief(scanFiles({ "app/other.json": other })).map((s) => s.split(" ")[0])).toEqual(["private-key"]);
  });

  it("reports credential files by path", () => {
    const files = {
      "app/.env": "# prod\nDEBUG=false\nDB_PASSWORD=R7tXk9vQ2mLp\n",
      "root/.npmrc": "//registry.npmjs.org/:_authToken=Xk9vQ2mLpR7tZ3wB8nC4\n",
      "root/.pypirc": "[pypi]\nusername = __token__\npassword = Zq8Wm3Xn7Yp1Bc4Df6Gh0\n",
      "root/.netrc": "machine api.internal login deploy password Zq8Wm3Xn7Yp1\n",
      "root/.docker/config.json": '{"auths": {"registry.internal": {"auth": "ZGVwbG95OlpxOFdtM1huN1lw"}}}\n',
      "root/.aws/credentials": "[default]\naws_access_key_id = AKIAQYLPMN5HFIQR7XYZ\naws_secret_access_key = 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\n",
      "root/.config/gcloud/application_default_credentials.json": '{"client_id": "x.apps.googleusercontent.com", "refresh_token": "1//0gXk9vQ2mLpR7tZ3wB8nC4yD6fG1h"}\n',
      "root/.kube/config": "users:\n- name: ci\n  user:\n    token: eyJhbGciOiJSUzI1NiIsImtpZCI6Ik\n",
    };
    expect(brief(scanFiles(files))).toEqual([
      "env-file app/.env:2 *****",
      "generic-secret-assignment app/.env:3 R7*********p",
      "npmrc-auth root/.npmrc:1 Xk9v**************C4",
      "pypirc-password root/.pypirc:3 Zq8W***************h0",
      "netrc-password root/.netrc:1 Zq*********1",
      "docker-config-auth root/.docker/config.json:1 ZGVw****************lw",
      "aws-access-key-id root/.aws/credentials:2 AKIA**************YZ",
      "aws-credentials-file root/.aws/credentials:3 hQ7m****************iO",
      "gcloud-credentials root/.config/gcloud/application_default_credentials.json:1 1//0****************1h",
      "kube-config-credentials root/.kube/config:4 eyJh****************Ik",
    ]);
  });
});
