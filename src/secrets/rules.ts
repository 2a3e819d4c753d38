/**
 * Built-in rules for what matters in a Python service image. Every rule is precise by construction (known
 * token formats, checksums, entropy, placeholder rejection), so nothing has to be skipped by path: a venv's
 * site-packages, where the app's own code lives, is scanned like everything else.
 *
 * Order matters: when two rules match the same span of a line, the earlier one is reported (file-specific
 * rules first, then token formats, then generic assignments).
 */
import { hasValidTokenChecksum } from "./checksum.js";
import { isPlaceholderPassword } from "./placeholders.js";
import { nativeFind, type SecretRule } from "./rule.js";
import { shannonEntropy } from "./redact.js";

type RuleSpec = Omit<SecretRule, "allowlists" | "rejectPlaceholders" | "find"> & { regex?: RegExp };

const basename = (p: string): string => p.slice(p.lastIndexOf("/") + 1);
const pathIs = (re: RegExp) => (p: string) => re.test(p);

/** `.env`, `.env.production`, ... but not the templates meant to be committed. */
export const isDotEnvPath = (p: string): boolean =>
  /^\.env(\.[A-Za-z0-9_-]+)?$/.test(basename(p)) && !/\.(example|sample|template|dist|defaults?|tmpl)$/i.test(p);

/** Files whose purpose is configuration: the only place a generic `password = ...` is worth reporting. */
export const isConfigFilePath = (p: string): boolean => {
  const b = basename(p);
  if (isDotEnvPath(p)) return true;
  if (/\.(ini|cfg|conf|ya?ml|json|toml|properties|env)$/i.test(b)) return true;
  return /^(local_)?settings\.py$|_settings\.py$|^secrets?\.py$/.test(b) || /(^|\/)settings\/[^/]+\.py$/.test(p);
};

/** Private key material by file name: SSH identities, `*.pem`, `*.key`. */
export const isPrivateKeyFilePath = (p: string): boolean =>
  /^id_(rsa|dsa|ecdsa|ed25519)(_sk)?$/.test(basename(p)) || /\.(pem|key)$/i.test(p);

/** Azurite's storage emulator key: published in Microsoft's docs, present in many SDKs. */
const AZURITE_KEY_START = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq";

/** Values of a generic assignment that are code, paths, names or numbers rather than credentials. */
function isCredentialLikeValue(v: string): boolean {
  if (v.length < 8 || v.length > 200) return false;
  // Whitespace or non-ASCII: prose ("Unexpected token."), translated messages, commands; not credentials.
  if (/[^\x21-\x7e]/.test(v)) return false;
  if (/^[a-z_]+$|^[A-Z_]+$|^[a-z]+(?:[A-Z][a-z]*)+$/.test(v)) return false; // identifiers, CONSTANTS, camelCase
  if (/^[\d.\-:+eE]+$/.test(v)) return false; // numbers, versions, times
  if (/^(\.{0,2}\/|~\/|[A-Za-z]:\\)|:\/\//.test(v)) return false; // paths and URLs (DB URLs have their own rule)
  if (/^[A-Za-z_][\w]*(\.[A-Za-z_]\w*)+$/.test(v)) return false; // dotted names: module.attr
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)) return false; // UUIDs are ids
  return true;
}

// Bounded repeats keep the name part linear even on a 64 KiB run of identifier characters.
const GENERIC_NAME =
  "[A-Za-z0-9_.-]{0,40}(?:password|passwd|secret|token|api[_-]?key|apikey|access[_-]?key|auth[_-]?key|private[_-]?key|client[_-]?secret|credentials?)[A-Za-z0-9_.-]{0,40}";

/** A name that says "this holds a credential", excluding names of files, types, lengths, URLs and the like. */
export function isSecretName(name: string): boolean {
  if (!new RegExp(`^${GENERIC_NAME}$`, "i").test(name)) return false;
  return !/(file|path|dir|name|type|len|length|size|url|uri|endpoint|env|var|field|header|prefix|suffix|format|hash|expires?|expiry|ttl|timeout|count|max|min|id|_at|policy|provider|source|kind|mode|enabled|required)$/i.test(
    name,
  );
}

const SPECS: RuleSpec[] = [
  // --- file rules: by path, minimal content ---
  {
    id: "npmrc-auth",
    description: "npm registry credentials in .npmrc",
    keywords: ["_auth", "_password"],
    appliesTo: pathIs(/(^|\/)\.npmrc$/),
    regex: /(?:_authToken|_auth|_password)\s*=\s*["']?([^\s"']+)/g,
  },
  {
    id: "pypirc-password",
    description: "PyPI upload password in .pypirc",
    keywords: ["password"],
    appliesTo: pathIs(/(^|\/)\.pypirc$/),
    regex: /^\s*password\s*[:=]\s*(\S+)/g,
  },
  {
    id: "netrc-password",
    description: "Login password in .netrc",
    keywords: ["password"],
    appliesTo: pathIs(/(^|\/)[._]netrc$/),
    regex: /(?:^|\s)password\s+(\S+)/g,
  },
  {
    id: "docker-config-auth",
    description: "Registry credentials in .docker/config.json",
    keywords: ['"auth"', "identitytoken", "registrytoken"],
    appliesTo: pathIs(/(^|\/)\.docker\/config\.json$/),
    regex: /"(?:auth|identitytoken|registrytoken)"\s*:\s*"([^"]{8,})"/g,
  },
  {
    id: "aws-credentials-file",
    description: "AWS credentials file (.aws/credentials)",
    keywords: ["aws_secret_access_key", "aws_session_token"],
    appliesTo: pathIs(/(^|\/)\.aws\/credentials$/),
    regex: /^\s*(?:aws_secret_access_key|aws_session_token)\s*=\s*(\S+)/g,
  },
  {
    id: "gcloud-credentials",
    description: "gcloud application default credentials",
    keywords: ["refresh_token", "client_secret", "private_key"],
    appliesTo: pathIs(/(^|\/)application_default_credentials\.json$/),
    regex: /"(?:refresh_token|client_secret|private_key)"\s*:\s*"([^"]{8,})"/g,
  },
  {
    id: "kube-config-credentials",
    description: "Kubernetes credentials in .kube/config",
    keywords: ["token", "client-key-data", "password"],
    appliesTo: pathIs(/(^|\/)\.kube\/config$/),
    regex: /^\s*(?:token|client-key-data|password)\s*:\s*["']?([^\s"']{8,})/g,
  },
  {
    id: "private-key-file",
    description: "Private key file (id_rsa, *.pem, *.key) holding a private key",
    keywords: ["private key"],
    appliesTo: isPrivateKeyFilePath,
    pem: true,
  },
  // --- token formats ---
  {
    id: "aws-access-key-id",
    description: "AWS access key ID",
    keywords: ["akia", "asia"],
    regex: /(?<![A-Za-z0-9])((?:AKIA|ASIA)[A-Z2-7]{16})(?![A-Za-z0-9])/g,
    entropy: 3,
  },
  {
    id: "aws-secret-access-key",
    description: "AWS secret access key",
    keywords: ["secret_access_key", "secretaccesskey", "aws_secret", "secret-access-key"],
    regex:
      /(?:aws_?secret_?(?:access_?)?key|secret[_-]?access[_-]?key)["']?\s*(?::|=>?|:=)\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi,
    entropy: 4,
  },
  {
    id: "gcp-service-account-marker",
    description: "marks a GCP service account JSON file",
    keywords: ["service_account"],
    regex: /"type"\s*:\s*"service_account"/g,
    marker: "gcp-service-account",
  },
  {
    id: "gcp-service-account-key",
    description: "GCP service account key (JSON with a private key)",
    keywords: ["private_key"],
    regex: /"private_key"\s*:\s*"-----BEGIN [A-Z ]*PRIVATE KEY-----(?:\\[nr]|\s)*([A-Za-z0-9+/=]{40}[A-Za-z0-9+/=\\]{24,})/g,
    requiresFlag: "gcp-service-account",
    entropy: 4,
  },
  {
    id: "azure-storage-connection-string",
    description: "Azure storage account connection string with an account key",
    keywords: ["accountkey"],
    regex: /AccountName=[^;"'\s]+;\s*AccountKey=([A-Za-z0-9+/]{86}==)/gi,
    entropy: 4.5,
    validate: (s) => !s.startsWith(AZURITE_KEY_START),
  },
  {
    id: "private-key",
    description: "Private key (PEM or OpenSSH) with a key body",
    keywords: ["private key"],
    pem: true,
  },
  {
    id: "github-token",
    description: "GitHub token (classic PAT, OAuth, user-to-server, server-to-server, refresh)",
    keywords: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
    regex: /(?<![A-Za-z0-9_])(gh[pousr]_[A-Za-z0-9]{36})(?![A-Za-z0-9])/g,
    validate: (s) => hasValidTokenChecksum(s),
  },
  {
    id: "github-fine-grained-pat",
    description: "GitHub fine-grained personal access token",
    keywords: ["github_pat_"],
    regex: /(?<![A-Za-z0-9_])(github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})(?![A-Za-z0-9])/g,
    entropy: 4,
  },
  {
    id: "gitlab-pat",
    description: "GitLab personal access token",
    keywords: ["glpat-"],
    regex: /(?<![A-Za-z0-9_-])(glpat-[A-Za-z0-9_-]{20,64}(?:\.[0-9a-z]{2}\.[0-9a-z]{7,9})?)(?![A-Za-z0-9_-])/g,
    entropy: 3.5,
  },
  {
    id: "slack-token",
    description: "Slack token",
    keywords: ["xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-"],
    regex: /(?<![A-Za-z0-9-])(xox[baprs]-(?:[0-9]{6,15}-){1,3}[A-Za-z0-9]{20,64})(?![A-Za-z0-9-])/g,
    entropy: 3.5,
  },
  {
    id: "slack-webhook",
    description: "Slack incoming webhook URL",
    keywords: ["hooks.slack.com"],
    regex: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/T[A-Z0-9]{6,12}\/[A-Z0-9]{6,14}\/([A-Za-z0-9]{20,32})(?![A-Za-z0-9])/g,
    entropy: 3.5,
  },
  {
    id: "stripe-live-key",
    description: "Stripe live secret or restricted key",
    keywords: ["sk_live_", "rk_live_"],
    regex: /(?<![A-Za-z0-9_])((?:sk|rk)_live_[0-9A-Za-z]{24,247})(?![A-Za-z0-9])/g,
    entropy: 3.5,
  },
  {
    id: "npm-token",
    description: "npm access token",
    keywords: ["npm_"],
    regex: /(?<![A-Za-z0-9_])(npm_[A-Za-z0-9]{36})(?![A-Za-z0-9])/g,
    validate: (s) => hasValidTokenChecksum(s),
  },
  {
    id: "pypi-token",
    description: "PyPI API token",
    keywords: ["pypi-ageichlwas5vcmc"],
    regex: /(?<![A-Za-z0-9_-])(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,400})(?![A-Za-z0-9_-])/g,
    entropy: 4,
  },
  {
    id: "dockerhub-pat",
    description: "Docker Hub personal or organisation access token",
    keywords: ["dckr_pat_", "dckr_oat_"],
    regex: /(?<![A-Za-z0-9_])(dckr_(?:pat|oat)_[A-Za-z0-9_-]{27})(?![A-Za-z0-9_-])/g,
    entropy: 3.5,
  },
  {
    id: "openai-api-key",
    description: "OpenAI API key (project, service account, admin or user key)",
    keywords: ["t3blbkfj"],
    regex: /(?<![A-Za-z0-9_-])(sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,160}T3BlbkFJ[A-Za-z0-9_-]{20,160})(?![A-Za-z0-9_-])/g,
    entropy: 4,
  },
  {
    id: "anthropic-api-key",
    description: "Anthropic API or admin key",
    keywords: ["sk-ant-"],
    regex: /(?<![A-Za-z0-9_-])(sk-ant-(?:api03|admin01)-[A-Za-z0-9_-]{93}AA)(?![A-Za-z0-9_-])/g,
    entropy: 4,
  },
  {
    id: "huggingface-token",
    description: "Hugging Face access token",
    keywords: ["hf_"],
    regex: /(?<![A-Za-z0-9_])(hf_[A-Za-z]{34})(?![A-Za-z0-9_])/g,
    entropy: 4,
  },
  {
    id: "sendgrid-api-key",
    description: "SendGrid API key",
    keywords: [],
    // "sg." alone is in every `msg.` of Python code: the prefilter wants the key's shape.
    keywordPattern: /sg\.[a-z0-9_-]{22}\.[a-z0-9_-]{43}/i,
    regex: /(?<![A-Za-z0-9_-])(SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/g,
    entropy: 4,
  },
  {
    id: "twilio-api-key",
    description: "Twilio API key (SK...)",
    keywords: [],
    // "sk" alone is in "task", "disk", "mask": the prefilter wants the key's shape.
    keywordPattern: /sk[0-9a-f]{32}/i,
    regex: /(?<![A-Za-z0-9_])(SK[0-9a-f]{32})(?![A-Za-z0-9_])/g,
    entropy: 3,
  },
  {
    id: "jwt",
    description: "Signed JSON Web Token",
    keywords: ["eyj"],
    regex: /(?<![A-Za-z0-9_-])(eyJ[A-Za-z0-9_-]{10,4096}\.eyJ[A-Za-z0-9_-]{10,8192}\.[A-Za-z0-9_-]{16,1024})(?![A-Za-z0-9_.-])/g,
    validate: (s) => isSignedJwt(s),
  },
  {
    id: "database-url-password",
    description: "Database or broker URL with a password",
    keywords: ["postgres", "mysql", "mariadb", "mongodb", "redis", "amqp"],
    regex:
      /(?<![A-Za-z0-9+])(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?)(?:\+[a-z0-9]+)?:\/\/([^:/\s"'@]{0,128}):([^@\s"'/]{1,256})@[A-Za-z0-9[._-]/g,
    secretGroup: 2,
    validate: (s, m) => !isPlaceholderPassword(decodeURIComponentSafe(s), m.groups[1] ?? ""),
  },
  // --- generic assignments, in configuration files only ---
  {
    id: "generic-secret-assignment",
    description: "Password, secret, token or API key assigned in a configuration file",
    keywords: ["password", "passwd", "secret", "token", "api_key", "apikey", "api-key", "access_key", "auth_key", "private_key", "credential"],
    appliesTo: isConfigFilePath,
    regex: new RegExp(
      `(?:^|[\\s"'{,;])(${GENERIC_NAME})["']?\\s*(?::\\s*[A-Za-z][\\w.\\[\\]| ]*)?\\s*[:=]\\s*(?:"([^"\\r\\n]{8,200})"|'([^'\\r\\n]{8,200})'|([^\\s"'#;,{}\\[\\]]{8,200}))`,
      "gi",
    ),
    secretFrom: 2, // group 1 is the name
    entropy: 3,
    validate: (s, m, ctx) => {
      const name = m.groups[1] ?? "";
      if (!isSecretName(name) || !isCredentialLikeValue(s)) return false;
      // In Python settings only literals count: `TOKEN = os.environ[...]` is exactly right.
      if (ctx.path.endsWith(".py") && m.groups[4] !== undefined) return false;
      return !isPlaceholderPassword(s);
    },
  },
  {
    id: "config-secret-variable",
    description: "Credential in an environment variable, label or build argument of the image config",
    keywords: [],
    configOnly: true,
    regex: /^([A-Za-z_][A-Za-z0-9_.-]*)=(.+)$/g,
    secretGroup: 2,
    validate: (s, m) =>
      isSecretName(m.groups[1] ?? "") &&
      s.length >= 6 &&
      !/^[\d.\-:+]+$|^(\.{0,2}\/|~\/)|^https?:\/\/[^@]*$/.test(s) &&
      !isPlaceholderPassword(s),
  },
  {
    id: "env-file",
    description: ".env file with at least one non-empty assignment",
    keywords: [],
    appliesTo: isDotEnvPath,
    regex: /^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=\s*(?:"([^"]+)"|'([^']+)'|([^\s#"'][^#]*?))\s*(?:#.*)?$/g,
    oncePerFile: true,
  },
];

/**
 * A JWT worth reporting: header and payload decode to JSON objects, the header names a real signing
 * algorithm (not "none"), and it is not jwt.io's well-known example token, which docs and tests quote.
 */
function isSignedJwt(token: string): boolean {
  const [header, payload] = token.split(".").map(decodeJsonPart);
  if (!header || !payload) return false;
  if (typeof header.alg !== "string" || header.alg.toLowerCase() === "none") return false;
  return !(payload.sub === "1234567890" && payload.name === "John Doe");
}

function decodeJsonPart(part: string | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part ?? "", "base64url").toString("utf8"));
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Rules whose placeholder screening must not apply (a .env value such as "dev" still makes a .env file). */
const NO_PLACEHOLDER_SCREEN = new Set(["env-file", "private-key", "private-key-file", "gcp-service-account-marker"]);

/** The built-in rules, freshly compiled (callers may attach allowlists to them). */
export function builtinRules(): SecretRule[] {
  return SPECS.map(({ regex, ...spec }) => ({
    ...spec,
    find: regex ? nativeFind(regex) : undefined,
    rejectPlaceholders: !NO_PLACEHOLDER_SCREEN.has(spec.id),
    allowlists: [],
  }));
}

/** Ids of the built-in rules, for `[extend] disabledRules` and docs. */
export const BUILTIN_RULE_IDS: readonly string[] = SPECS.map((s) => s.id);

/** Entropy helper re-exported for rule authors. */
export { shannonEntropy };
