/**
 * Builds the scanner's RuleSet from verify.yaml's `secrets` section: built-in rules, a gitleaks config, user
 * rules (RE2 syntax) and the allowlist.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { VerifyConfig } from "../config/schema.js";
import { compileRe2, parseGitleaksConfig, re2Find, re2Test, SecretConfigError } from "./gitleaks.js";
import { builtinRules } from "./rules.js";
import { emptyAllowlist, type Allowlist, type RuleSet, type SecretRule } from "./rule.js";

type SecretsConfig = VerifyConfig["secrets"];

function userRule(r: SecretsConfig["rules"][number]): SecretRule {
  const where = `verify.yaml secrets.rules "${r.id}"`;
  if (!r.regex && !r.path) throw new SecretConfigError(`${where}: needs "regex" or "path"`);
  return {
    id: r.id,
    description: r.description ?? r.id,
    keywords: r.keywords.map((k) => k.toLowerCase()),
    find: r.regex ? re2Find(compileRe2(r.regex, where)) : undefined,
    secretGroup: r.secretGroup || undefined,
    entropy: r.entropy,
    appliesTo: r.path ? re2Test(r.path, `${where} path`) : undefined,
    allowlists: [],
  };
}

function configAllowlist(a: SecretsConfig["allowlist"]): Allowlist {
  return {
    ...emptyAllowlist(),
    paths: a.paths.map((p) => re2Test(p, "verify.yaml secrets.allowlist.paths")),
    regexes: a.regexes.map((r) => re2Test(r, "verify.yaml secrets.allowlist.regexes")),
    stopwords: a.stopwords,
  };
}

/**
 * The rule set for a `secrets` config. `repoRoot` resolves `gitleaksConfig`. Throws SecretConfigError with a
 * one-line message for a missing file or a rule that does not compile.
 */
export async function loadSecretRules(secrets: SecretsConfig, repoRoot: string): Promise<RuleSet> {
  let gitleaks = { rules: [] as SecretRule[], allowlists: [] as Allowlist[], useDefault: false, disabledRules: [] as string[] };
  if (secrets.gitleaksConfig) {
    const file = resolve(repoRoot, secrets.gitleaksConfig);
    const text = await readFile(file, "utf8").catch(() => {
      throw new SecretConfigError(`secrets.gitleaksConfig: cannot read ${file}; fix the path (relative to the repository root)`);
    });
    gitleaks = parseGitleaksConfig(text, secrets.gitleaksConfig);
  }
  const useBuiltins = secrets.builtinRules || gitleaks.useDefault;
  const builtins = useBuiltins ? builtinRules().filter((r) => !gitleaks.disabledRules.includes(r.id)) : [];
  const own = [...gitleaks.rules, ...secrets.rules.map(userRule)];
  const seen = new Set<string>();
  for (const r of own) {
    if (seen.has(r.id)) throw new SecretConfigError(`secret rule id "${r.id}" is defined twice; rename one`);
    seen.add(r.id);
  }
  // A gitleaks or user rule with a built-in rule's id replaces it (as gitleaks' [extend] does).
  const rules = [...builtins.filter((r) => !seen.has(r.id)), ...own];
  return {
    rules,
    allowlists: [configAllowlist(secrets.allowlist), ...gitleaks.allowlists],
    fingerprints: new Set(secrets.allowlist.fingerprints),
  };
}

/** The built-in rules with no allowlist: what `defaultConfig()` scans with. */
export function defaultRuleSet(): RuleSet {
  return { rules: builtinRules(), allowlists: [], fingerprints: new Set() };
}
