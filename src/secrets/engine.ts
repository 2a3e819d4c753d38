/**
 * The line engine: finds candidates in the bytes of one file (or the text of one config value), fed in chunks.
 *
 * Speed comes from the keyword prefilter (prefilter.ts): a DFA over the raw bytes finds the lines holding a
 * keyword of the rules that apply to a file; only those lines become strings and meet the rules whose own
 * keywords they contain. Memory is bounded: an unfinished line is carried between chunks up to
 * `windowChars`, then scanned in overlapping windows.
 */
import { isCanaryRule } from "./canary.js";
import { PemTracker, pemOnLine } from "./pem.js";
import { DEFAULT_STOPWORDS, hasStopword, looksLikeTemplate } from "./placeholders.js";
import { Prefilter, literalPattern, regexPattern, type PrefilterCursor } from "./prefilter.js";
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
  readonly prefilter?: Prefilter;

  constructor(readonly rules: Array<{ rule: SecretRule; order: number }>) {
    const words = new Set<string>();
    const patterns = [];
    let everyLine = false;
    for (const { rule } of rules) {
      if (!rule.find && !rule.pem) continue; // path-only rules need no content
      if (rule.keywordPattern) patterns.push(regexPattern(rule.keywordPattern));
      else if (rule.keywords.length === 0) everyLine = true;
      for (const k of rule.keywords) words.add(k.toLowerCase());
    }
    if (!everyLine) this.prefilter = new Prefilter([...[...words].map(literalPattern), ...patterns]);
  }
}

const OVERLAP = 4096;
/** Candidates kept per file; beyond this a file is surely not a config but a dump: stop collecting. */
const MAX_CANDIDATES = 1000;
const NEWLINE = 0x0a;

/** Scans one file: write() its bytes chunk by chunk (or scanText() a config value), then finish(). */
export class FileScan {
  private readonly cursor: PrefilterCursor = { state: Prefilter.START, newlines: 0, lastNewline: -1 };
  /** Bytes of the current line that came in earlier chunks. */
  private pending: Buffer[] = [];
  private pendingLength = 0;
  /** Column at which `pending` starts in its line (> 0 only inside a windowed long line). */
  private lineCol = 0;
  /** A keyword hit on the current line (see lineWanted). */
  private hot = false;
  /** Column of the last keyword hit on the current line, so a window cut keeps a hit it still holds. */
  private hitCol = -1;
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

  /** The current line must be scanned when it ends: a keyword hit, an open PEM block, or no prefilter. */
  private get lineWanted(): boolean {
    return this.hot || this.pem !== undefined || !this.profile.prefilter;
  }

  /** Feeds the next chunk of the file's bytes. */
  write(chunk: Buffer): void {
    const prefilter = this.profile.prefilter;
    let lineStart = 0;
    let pos = 0;
    while (pos < chunk.length) {
      if (!prefilter || this.lineWanted) {
        // The current line is to be scanned: find where it ends.
        const end = chunk.indexOf(NEWLINE, pos);
        if (end < 0) {
          // The line goes on into the next chunk: note later hits, which a window cut may need.
          if (prefilter && !this.pem) this.trackHits(prefilter, chunk, pos, lineStart);
          break;
        }
        this.scanCurrentLine(chunk.subarray(lineStart, end));
        this.cursor.state = Prefilter.START;
        lineStart = pos = end + 1;
        continue;
      }
      const hit = prefilter.run(this.cursor, chunk, pos, chunk.length);
      if (this.cursor.newlines > 0) {
        // Lines passed without a hit: nothing of them is kept.
        this.lineNo += this.cursor.newlines;
        lineStart = this.cursor.lastNewline + 1;
        this.dropPending();
      }
      if (hit < 0) break;
      this.hot = true;
      this.hitCol = this.lineCol + this.pendingLength + (hit - lineStart);
      pos = hit + 1;
    }
    this.hold(chunk.subarray(lineStart));
  }

  private trackHits(prefilter: Prefilter, chunk: Buffer, from: number, lineStart: number): void {
    for (let h = prefilter.run(this.cursor, chunk, from, chunk.length); h >= 0; h = prefilter.run(this.cursor, chunk, h + 1, chunk.length)) {
      this.hitCol = this.lineCol + this.pendingLength + (h - lineStart);
    }
  }

  /** Scans a config value (Env entry, label, created_by): every line, no prefilter; JS strings kept as they are. */
  scanText(text: string): void {
    for (const line of text.split("\n")) {
      if (this.pem) this.feedPem(line);
      else this.scanLongLine(line, this.lineNo, 0);
      this.lineNo++;
    }
  }

  /** Ends the file: scans the last line and returns its candidates, de-duplicated. */
  finish(): Candidate[] {
    if (this.pendingLength > 0 && this.lineWanted) this.scanCurrentLine(Buffer.alloc(0));
    this.dropPending();
    return this.settle();
  }

  /** The current line ends with `tail` (its bytes in the last chunk): scan it whole, then start the next line. */
  private scanCurrentLine(tail: Buffer): void {
    const bytes = this.pendingLength ? Buffer.concat([...this.pending, tail]) : tail;
    const text = bytes.toString("latin1");
    if (this.pem) this.feedPem(text);
    else this.scanLongLine(text, this.lineNo, this.lineCol);
    this.lineNo++;
    this.dropPending();
  }

  /** Keeps the unfinished line; past the window, scans a window of it (if hot) and keeps only an overlap. */
  private hold(rest: Buffer): void {
    if (rest.length === 0) return;
    // A copy: the chunk's memory belongs to the reader.
    this.pending.push(Buffer.from(rest));
    this.pendingLength += rest.length;
    if (this.pendingLength <= this.windowChars) return;
    const line = Buffer.concat(this.pending);
    let at = 0;
    while (line.length - at > this.windowChars) {
      if (this.lineWanted) {
        if (this.pem) this.pem = undefined; // a PEM body does not run for 64 KiB on one line
        else this.scanLine(line.toString("latin1", at, at + this.windowChars), this.lineNo, this.lineCol);
      }
      const cut = this.windowChars - OVERLAP;
      at += cut;
      this.lineCol += cut;
      // The kept overlap still holds the last hit: it stays hot for the next window.
      this.hot = this.hitCol >= this.lineCol;
    }
    this.pending = [line.subarray(at)];
    this.pendingLength = line.length - at;
  }

  private dropPending(): void {
    this.pending = [];
    this.pendingLength = 0;
    this.lineCol = 0;
    this.hot = false;
    this.hitCol = -1;
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
      if (rule.keywordPattern ? !rule.keywordPattern.test(text) : rule.keywords.length > 0 && !rule.keywords.some((k) => lower.includes(k))) continue;
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

  /**
   * Drops unmet marker requirements, overlapping matches (earlier rule wins) and repeats of once-per-file
   * rules. The build-secret canary overlaps format rules without displacing them, or being displaced:
   * each tells something the other does not (a known format; this build's own secret).
   */
  private settle(): Candidate[] {
    const kept: Candidate[] = [];
    const onceSeen = new Set<string>();
    const sorted = this.candidates
      .filter((c) => !c.rule.requiresFlag || this.flags.has(c.rule.requiresFlag))
      .sort((a, b) => a.line - b.line || a.order - b.order || a.start - b.start);
    for (const c of sorted) {
      if (c.rule.oncePerFile && onceSeen.has(c.rule.id)) continue;
      const canary = isCanaryRule(c.rule.id);
      if (kept.some((k) => k.line === c.line && k.start < c.end && c.start < k.end && isCanaryRule(k.rule.id) === canary)) continue;
      if (c.rule.oncePerFile) onceSeen.add(c.rule.id);
      kept.push(c);
    }
    return kept;
  }
}
