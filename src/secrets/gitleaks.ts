/**
 * Import of a gitleaks TOML config: [[rules]] (id, description, regex, secretGroup, entropy, keywords, path,
 * [[rules.allowlists]] or [rules.allowlist]), global [allowlist] / [[allowlists]] (with targetRules), and
 * [extend] useDefault / disabledRules, which map to our built-in rules (they stand in for gitleaks' own).
 * Regexes compile with re2js: RE2/Go syntax, inline flags such as (?i), linear time.
 */
import { RE2JS } from "re2js";
import { parse as parseToml } from "smol-toml";
import { emptyAllowlist, type Allowlist, type FindFn, type SecretRule } from "./rule.js";
import { firstLine } from "../text.js";

/** A gitleaks config we cannot use, with a one-line message that names the file, rule and fix. */
export class SecretConfigError extends Error {
  override name = "SecretConfigError";
}

/** What a gitleaks config contributes. */
export interface GitleaksImport {
  rules: SecretRule[];
  allowlists: Allowlist[];
  /** `[extend] useDefault = true`: also use the built-in rules. */
  useDefault: boolean;
  /** `[extend] disabledRules`: built-in rule ids to leave out. */
  disabledRules: string[];
}

/** Compiles an RE2 pattern, or throws a one-line error naming where it came from. */
export function compileRe2(pattern: string, where: string): RE2JS {
  try {
    return RE2JS.compile(pattern);
  } catch (e) {
    const why = firstLine(e);
    throw new SecretConfigError(`${where}: regex does not compile as RE2/Go syntax (${why}); fix or remove it`);
  }
}

/** A FindFn over an RE2 pattern. */
export function re2Find(re: RE2JS): FindFn {
  return function* (text: string) {
    for (const m of re.matchAll(text)) yield { index: m.index as number, groups: Array.from(m as ArrayLike<string | undefined>) };
  };
}

/** A path predicate from an RE2 pattern. */
export function re2Test(pattern: string, where: string): (s: string) => boolean {
  const re = compileRe2(pattern, where);
  return (s) => re.test(s);
}

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => typeof v === "object" && v !== null && !Array.isArray(v);

function strings(t: Table, key: string, where: string): string[] {
  const v = t[key];
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
    throw new SecretConfigError(`${where}: "${key}" must be an array of strings`);
  }
  return v as string[];
}

function optional<T>(t: Table, key: string, type: "string" | "number", where: string): T | undefined {
  const v = t[key];
  if (v === undefined) return undefined;
  if (typeof v !== type) throw new SecretConfigError(`${where}: "${key}" must be a ${type}`);
  return v as T;
}

/** Converts one gitleaks allowlist table. */
function toAllowlist(t: Table, where: string): Allowlist {
  const condition = (optional<string>(t, "condition", "string", where) ?? "OR").toUpperCase();
  if (condition !== "OR" && condition !== "AND") throw new SecretConfigError(`${where}: condition must be "OR" or "AND"`);
  const target = optional<string>(t, "regexTarget", "string", where) ?? "secret";
  if (!["secret", "match", "line"].includes(target)) {
    throw new SecretConfigError(`${where}: regexTarget must be "secret", "match" or "line"`);
  }
  const targetRules = strings(t, "targetRules", where);
  return {
    ...emptyAllowlist(),
    description: optional<string>(t, "description", "string", where),
    condition,
    regexTarget: target as Allowlist["regexTarget"],
    paths: strings(t, "paths", where).map((p) => re2Test(p, `${where} path`)),
    regexes: strings(t, "regexes", where).map((r) => re2Test(r, `${where} regex`)),
    stopwords: strings(t, "stopwords", where),
    ...(targetRules.length > 0 ? { ruleIds: new Set(targetRules) } : {}),
  };
}

/** Both spellings: `[[x.allowlists]]` (current) and `[x.allowlist]` (older single table). */
function allowlistsOf(t: Table, where: string): Allowlist[] {
  const out: Allowlist[] = [];
  if (isTable(t.allowlist)) out.push(toAllowlist(t.allowlist, `${where} allowlist`));
  if (Array.isArray(t.allowlists)) t.allowlists.forEach((a, i) => isTable(a) && out.push(toAllowlist(a, `${where} allowlists[${i}]`)));
  return out;
}

function toRule(t: Table, index: number, file: string): SecretRule {
  const id = optional<string>(t, "id", "string", `${file}: rules[${index}]`);
  if (!id) throw new SecretConfigError(`${file}: rules[${index}] has no "id"; give every rule an id`);
  const where = `${file}: rule "${id}"`;
  const regex = optional<string>(t, "regex", "string", where);
  const path = optional<string>(t, "path", "string", where);
  if (!regex && !path) throw new SecretConfigError(`${where}: needs "regex" or "path"`);
  const re = regex ? compileRe2(regex, where) : undefined;
  return {
    id,
    description: optional<string>(t, "description", "string", where) ?? id,
    keywords: strings(t, "keywords", where).map((k) => k.toLowerCase()),
    find: re ? re2Find(re) : undefined,
    secretGroup: optional<number>(t, "secretGroup", "number", where) || undefined,
    entropy: optional<number>(t, "entropy", "number", where),
    appliesTo: path ? re2Test(path, `${where} path`) : undefined,
    allowlists: allowlistsOf(t, where),
  };
}

/** Parses the text of a gitleaks TOML config; `file` only names it in errors. */
export function parseGitleaksConfig(text: string, file: string): GitleaksImport {
  let doc: Table;
  try {
    doc = parseToml(text) as Table;
  } catch (e) {
    const why = firstLine(e);
    throw new SecretConfigError(`${file}: not valid TOML (${why})`);
  }
  const extend = isTable(doc.extend) ? doc.extend : {};
  if (typeof extend.path === "string") {
    throw new SecretConfigError(`${file}: [extend] path is not supported; merge that file's rules into this one`);
  }
  const rules = Array.isArray(doc.rules) ? doc.rules : [];
  return {
    rules: rules.map((r, i) => {
      if (!isTable(r)) throw new SecretConfigError(`${file}: rules[${i}] must be a table`);
      return toRule(r, i, file);
    }),
    allowlists: allowlistsOf(doc, file),
    useDefault: extend.useDefault === true,
    disabledRules: strings(extend, "disabledRules", `${file}: [extend]`),
  };
}
