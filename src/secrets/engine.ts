/**
 * The line engine: finds candidates in the text of one file (or one config value), fed in chunks.
 *
 * Speed comes from the keyword prefilter: one case-insensitive alternation of every keyword of the rules that
 * apply to a file runs over each block of complete lines; only lines it hits are split out and given to the
 * rules whose own keywords they contain. Memory is bounded: an unfinished line is carried between chunks up
 * to `windowChars`, then scanned in overlapping windows.
 */
import { PemTracker, pemOnLine } from "./pem.js";
import { DEFAULT_STOPWORDS, hasStopword, looksLikeTemplate } from "./placeholders.js";
import { allowlisted, secretOf, type Allowlist, type RawMatch, type SecretRule } from "./rule.js";
import { shannonEntropy } from "./redact.js";

/** A match that passed every test; findings are made from these once the file ends. */
export interface Candidate {
  rule: SecretRule;
  order: number;
  line: number;
  /** Column of the secret in its line, for de-duplication of rules and of overlapping windows. */
  start: number;
  end: number;
  secret: string;
}

/** The rules that apply to one kind of file, with their combined keyword prefilter. */
export class Profile {
  /** Undefined when some rule has no keywords: then every line is looked at. */
  readonly keywordRe?: RegExp;

  constructor(readonly rules: Array<{ rule: SecretRule; order: number }>) {
    const words = new Set<string>();
    let everyLine = false;
    for (const { rule } of rules) {
      if (!rule.find && !rule.pem) continue; // path-only rules need no content
      if (rule.keywords.length === 0) everyLine = true;
      for (const k of rule.keywords) words.add(k.toLowerCase());
    }
    if (!everyLine) {
      const alt = [...words].map((w) => w.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&")).join("|");
      this.keywordRe = new RegExp(alt === "" ? "(?!)" : alt, "gi");
    }
  }
}

const OVERLAP = 4096;
/** Candidates kept per file; beyond this a file is surely not a config but a dump: stop collecting. */
const MAX_CANDIDATES = 1000;

/** Scans one file's text. Call write() with latin1-decoded chunks (1 char = 1 byte), then finish(). */
export class FileScan {
  private carry = "";
  /** Column at which `carry` starts in its line (> 0 only inside a windowed long line). */
  private carryCol = 0;
  private lineNo = 1;
  private pem?: { tracker: PemTracker; rules: Array<{ rule: SecretRule; order: number }> };
  private readonly flags = new Set<string>();
  private readonly candidates: Candidate[] = [];

  constructor(
    private readonly profile: Profile,
    private readonly allowlists: Allowlist[],
    private readonly path: string,
    private readonly windowChars = 64 * 1024,
  ) {}

  /** Feeds the next chunk of text. */
  write(text: string): void {
    let buf = this.carry + text;
    const lastNl = buf.lastIndexOf("\n");
    if (lastNl >= 0) {
      this.scanBlock(buf.slice(0, lastNl + 1), this.carryCol);
      this.carryCol = 0;
      buf = buf.slice(lastNl + 1);
    }
    // A line longer than the window: scan what we have, keep an overlap so a secret across the cut is seen.
    while (buf.length > this.windowChars) {
      this.scanLine(buf.slice(0, this.windowChars), this.lineNo, this.carryCol);
      const cut = this.windowChars - OVERLAP;
      buf = buf.slice(cut);
      this.carryCol += cut;
    }
    this.carry = buf;
  }

  /** Ends the file: scans the last line and returns its candidates, de-duplicated. */
  finish(): Candidate[] {
    if (this.carry.length > 0) this.scanBlock(this.carry, this.carryCol);
    this.carry = "";
    return this.settle();
  }

  private scanBlock(block: string, firstCol: number): void {
    const kw = this.profile.keywordRe;
    let pos = 0;
    let cursor = 0; // position up to which newlines were counted into lineNo
    const lineAt = (p: number): number => {
      for (let i = block.indexOf("\n", cursor); i !== -1 && i < p; i = block.indexOf("\n", i + 1)) this.lineNo++;
      cursor = p;
      return this.lineNo;
    };
    while (pos < block.length) {
      let start = pos;
      if (!this.pem && kw) {
        kw.lastIndex = pos;
        const m = kw.exec(block);
        if (!m) break;
        start = m.index === 0 ? 0 : block.lastIndexOf("\n", m.index - 1) + 1;
        if (start < pos) start = pos;
      }
      let end = block.indexOf("\n", start);
      if (end === -1) end = block.length;
      const line = lineAt(start);
      const text = block.slice(start, end);
      if (this.pem) this.feedPem(text);
      else this.scanLongLine(text, line, start === 0 ? firstCol : 0);
      pos = end + 1;
    }
    lineAt(block.length);
  }

  /** A line inside a block can still be longer than the window when a single chunk was huge. */
  private scanLongLine(text: string, line: number, col: number): void {
    if (text.length <= this.windowChars) return this.scanLine(text, line, col);
    for (let at = 0; at < text.length; at += this.windowChars - OVERLAP) {
      this.scanLine(text.slice(at, at + this.windowChars), line, col + at);
      if (at + this.windowChars >= text.length) break;
    }
  }

  private feedPem(text: string): void {
    const pem = this.pem!;
    const r = pem.tracker.feed(text);
    if (r === "more") return;
    this.pem = undefined;
    if (r) for (const { rule, order } of pem.rules) this.addPem(rule, order, pem.tracker.line, r.index, r.body);
  }

  private scanLine(text: string, line: number, col: number): void {
    const lower = text.toLowerCase();
    const pemRules: Array<{ rule: SecretRule; order: number }> = [];
    for (const entry of this.profile.rules) {
      const { rule } = entry;
      if (rule.keywords.length > 0 && !rule.keywords.some((k) => lower.includes(k))) continue;
      if (rule.pem) pemRules.push(entry);
      else if (rule.find) for (const m of rule.find(text)) this.consider(entry, m, text, line, col);
    }
    if (pemRules.length > 0) this.scanPemLine(pemRules, text, line, col);
  }

  private scanPemLine(rules: Array<{ rule: SecretRule; order: number }>, text: string, line: number, col: number) {
    const { keys, openAt } = pemOnLine(text);
    for (const k of keys) for (const { rule, order } of rules) this.addPem(rule, order, line, col + k.index, k.body);
    if (openAt !== undefined) this.pem = { tracker: new PemTracker(line, col + openAt), rules };
  }

  private addPem(rule: SecretRule, order: number, line: number, start: number, body: string): void {
    if (this.isAllowed(rule, body, body, "")) return;
    this.push({ rule, order, line, start, end: start + body.length, secret: body });
  }

  private consider(entry: { rule: SecretRule; order: number }, m: RawMatch, text: string, line: number, col: number) {
    const { rule } = entry;
    const secret = secretOf(rule, m);
    if (!secret) return;
    if (rule.entropy !== undefined && shannonEntropy(secret) < rule.entropy) return;
    if (rule.rejectPlaceholders && (looksLikeTemplate(secret) || hasStopword(secret, DEFAULT_STOPWORDS))) return;
    if (rule.validate && !rule.validate(secret, m, { path: this.path, line: text })) return;
    if (rule.marker) {
      this.flags.add(rule.marker);
      return;
    }
    if (this.isAllowed(rule, secret, m.groups[0] ?? secret, text)) return;
    const start = col + m.index + Math.max(0, (m.groups[0] ?? "").indexOf(secret));
    this.push({ ...entry, line, start, end: start + secret.length, secret });
  }

  private isAllowed(rule: SecretRule, secret: string, match: string, line: string): boolean {
    const c = { path: this.path, secret, match, line };
    return rule.allowlists.some((a) => allowlisted(a, rule.id, c)) || this.allowlists.some((a) => allowlisted(a, rule.id, c));
  }

  private push(c: Candidate): void {
    if (this.candidates.length < MAX_CANDIDATES) this.candidates.push(c);
  }

  /** Drops unmet marker requirements, overlapping matches (earlier rule wins) and repeats of once-per-file rules. */
  private settle(): Candidate[] {
    const kept: Candidate[] = [];
    const onceSeen = new Set<string>();
    const sorted = this.candidates
      .filter((c) => !c.rule.requiresFlag || this.flags.has(c.rule.requiresFlag))
      .sort((a, b) => a.line - b.line || a.order - b.order || a.start - b.start);
    for (const c of sorted) {
      if (c.rule.oncePerFile && onceSeen.has(c.rule.id)) continue;
      if (kept.some((k) => k.line === c.line && k.start < c.end && c.start < k.end)) continue;
      if (c.rule.oncePerFile) onceSeen.add(c.rule.id);
      kept.push(c);
    }
    return kept;
  }
}
