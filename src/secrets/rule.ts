/**
 * The shape of a compiled secret rule and allowlist, shared by the built-in rules, user rules from
 * verify.yaml and rules imported from a gitleaks config.
 */

/** One regex match: `groups[0]` is the whole match, `groups[i]` capture group i (undefined if unset). */
export interface RawMatch {
  index: number;
  groups: (string | undefined)[];
}

/** Finds every match in one line (or one window of a very long line). */
export type FindFn = (text: string) => Iterable<RawMatch>;

/** What a validator may look at besides the secret. */
export interface MatchContext {
  path: string;
  line: string;
}

export interface SecretRule {
  id: string;
  description: string;
  /** Lower-case literals; the rule runs only on lines containing one. Empty: every line of files it applies to. */
  keywords: string[];
  /**
   * Instead of literal keywords: a case-insensitive pattern (no `g` flag) a line must match, for formats whose
   * prefix alone is too common to prefilter on (Twilio's `SK`, SendGrid's `SG.`). Joins the combined prefilter.
   */
  keywordPattern?: RegExp;
  /** Undefined for a path-only rule: the file's presence is the finding. */
  find?: FindFn;
  /** Capture group holding the secret; default: the first non-empty group, else the whole match. */
  secretGroup?: number;
  /** Without secretGroup: the secret is the first non-empty group from this one on (default 1). */
  secretFrom?: number;
  /** Minimum Shannon entropy (bits per character) of the secret. */
  entropy?: number;
  /** Only files whose path (normalised, no leading "/") passes; undefined: every file. */
  appliesTo?: (path: string) => boolean;
  /** Extra test of a candidate (checksums, placeholder passwords, ...). */
  validate?: (secret: string, m: RawMatch, ctx: MatchContext) => boolean;
  /** Reject placeholders and stopwords (all built-in rules; user rules only through their allowlists). */
  rejectPlaceholders?: boolean;
  /** A match only marks the file (flag name); it is never reported itself. */
  marker?: string;
  /** Report only if some line of the same file matched the marker with this flag name. */
  requiresFlag?: string;
  /** Report at most one finding per file (e.g. ".env file with assignments"). */
  oncePerFile?: boolean;
  /** Applies to image config values only (Env, Labels, build args), never to files. */
  configOnly?: boolean;
  /** PEM private keys: the header starts a multi-line body check (see pem.ts). */
  pem?: boolean;
  allowlists: Allowlist[];
}

/** A gitleaks-style allowlist: OR (any part matches) or AND (every given part matches). */
export interface Allowlist {
  description?: string;
  condition: "OR" | "AND";
  /** What `regexes` are tested against. */
  regexTarget: "secret" | "match" | "line";
  paths: Array<(path: string) => boolean>;
  regexes: Array<(text: string) => boolean>;
  stopwords: string[];
  /** Restrict a global allowlist to these rule ids (gitleaks `targetRules`); undefined: all rules. */
  ruleIds?: Set<string>;
}

/** Everything the scanner needs to know about what to look for and what to accept. */
export interface RuleSet {
  rules: SecretRule[];
  allowlists: Allowlist[];
  /** Finding fingerprints accepted from a previous report. */
  fingerprints: Set<string>;
}

/** Wraps a native RegExp (written by us, linear) as a FindFn. */
export function nativeFind(re: RegExp): FindFn {
  const g = re.flags.includes("g") ? re : new RegExp(re.source, re.flags + "g");
  return function* (text: string) {
    for (const m of text.matchAll(g)) yield { index: m.index ?? 0, groups: Array.from(m) };
  };
}

/** The secret of a match: the rule's group, else the first non-empty group, else the whole match. */
export function secretOf(rule: SecretRule, m: RawMatch): string | undefined {
  if (rule.secretGroup !== undefined) return m.groups[rule.secretGroup];
  for (let i = rule.secretFrom ?? 1; i < m.groups.length; i++) if (m.groups[i]) return m.groups[i];
  return m.groups[0];
}

/** An allowlist with nothing in it. */
export function emptyAllowlist(): Allowlist {
  return { condition: "OR", regexTarget: "secret", paths: [], regexes: [], stopwords: [] };
}

/** True when the allowlist accepts this candidate (so it is dropped). */
export function allowlisted(
  al: Allowlist,
  ruleId: string,
  c: { path: string; secret: string; match: string; line: string },
): boolean {
  if (al.ruleIds && !al.ruleIds.has(ruleId)) return false;
  const target = al.regexTarget === "line" ? c.line : al.regexTarget === "match" ? c.match : c.secret;
  const lower = c.secret.toLowerCase();
  const parts: boolean[] = [];
  if (al.paths.length > 0) parts.push(al.paths.some((p) => p(c.path)));
  if (al.regexes.length > 0) parts.push(al.regexes.some((r) => r(target)));
  if (al.stopwords.length > 0) parts.push(al.stopwords.some((w) => lower.includes(w.toLowerCase())));
  if (parts.length === 0) return false;
  return al.condition === "AND" ? parts.every(Boolean) : parts.some(Boolean);
}
