/**
 * The file half of the scanner: one sink per file of the image, or per member of an archive in it. The
 * first 8 KiB of a file choose how it is read (text, UTF-16, .pyc constants, an archive to unpack, or a
 * binary to skip); text is scanned by the line engine and what it finds becomes redacted findings.
 */
import type { ContentSink, LayerRef } from "../image/types.js";
import { FileScan, Profile, type Candidate } from "./engine.js";
import { digestHex12, fingerprint, redact } from "./redact.js";
import type { RuleSet, SecretRule } from "./rule.js";
import type { ScanNote, SecretFinding, SecretLocation } from "./types.js";
import { CappedBuffer, routeByHead } from "./unpack/buffer.js";
import { CANARY_PREFIX, type RawNeedles } from "./canary.js";
import {
  ImageBudget, NULL_SINK, UNPACK_DEFAULTS, archiveSink, isArchive, noteOnce, pycStrings, sniffMagic, sniffUtf16,
  utf16Sink, type ArchiveContext, type PackedKind, type UnpackLimits, type UnpackOptions,
} from "./unpack/index.js";

export const HEAD_BYTES = 8192;

/** 1 for the control bytes that do not occur in text (all but tab, newlines, form feed, carriage return). */
const CONTROL = Uint8Array.from({ length: 256 }, (_, b) => (b < 9 || (b > 13 && b < 32) || b === 127 ? 1 : 0));
const NEWLINE = Buffer.from("\n");

/** True when the first bytes of a file say it is not text. */
export function looksBinary(head: Buffer): boolean {
  if (head.includes(0)) return true;
  let control = 0;
  for (let i = 0; i < head.length; i++) control += CONTROL[head[i]!]!;
  return control > head.length * 0.1;
}

export interface ScanStats {
  filesScanned: number;
  binarySkipped: number;
  bytesScanned: number;
  /** Archives opened for unpacking (zip, tar, gzip), at any depth. */
  archives: number;
  /** Files decoded before the scan: .pyc constants and UTF-16 text. */
  decoded: number;
}

/**
 * A file to scan. `path` is what findings and notes name (`<archive>!<member>` inside archives);
 * `rulePath` is what rules and allowlists judge: a member's own path inside its archive.
 */
export interface Target {
  layer: LayerRef;
  path: string;
  rulePath: string;
  /** 0 for a file of the image, 1 for a member of an archive in it, and so on. */
  depth: number;
  /** Size in bytes when the tar header or zip directory says. */
  size?: number;
}

export interface FileScannerOptions {
  maxFileBytes?: number;
  windowBytes?: number;
  unpack?: UnpackOptions;
  /** The build-secret canary's byte forms, searched in the binary files the rules skip. */
  rawNeedles?: RawNeedles;
}

type Ordered = Array<{ rule: SecretRule; order: number }>;

/** Scans files and archive members; findings, notes and stats accumulate over the whole image. */
export class FileScanner {
  readonly found: SecretFinding[] = [];
  readonly notes: ScanNote[] = [];
  readonly stats: ScanStats = { filesScanned: 0, binarySkipped: 0, bytesScanned: 0, archives: 0, decoded: 0 };
  private readonly profiles = new Map<string, Profile>();
  private readonly globalPathAllow;
  private readonly maxFileBytes: number;
  private readonly windowChars: number;
  private readonly limits: UnpackLimits;
  private readonly budget: ImageBudget;
  private readonly rawNeedles?: RawNeedles;

  constructor(private readonly rules: RuleSet, private readonly ordered: Ordered, options: FileScannerOptions) {
    this.rawNeedles = options.rawNeedles?.empty ? undefined : options.rawNeedles;
    this.globalPathAllow = rules.allowlists.filter((a) => a.condition === "OR" && !a.ruleIds && a.paths.length > 0);
    this.maxFileBytes = options.maxFileBytes ?? 64 * 1024 * 1024;
    this.windowChars = options.windowBytes ?? 64 * 1024;
    this.limits = { ...UNPACK_DEFAULTS, ...options.unpack };
    this.budget = new ImageBudget(this.limits.maxImageBytes);
  }

  /** A sink for one file, or undefined when it is allowlisted or no rule could find anything in it. */
  open(t: Target): ContentSink | undefined {
    if (this.allowed(t.path) || (t.rulePath !== t.path && this.allowed(t.rulePath))) return undefined;
    const profile = this.profileFor(t.rulePath);
    for (const { rule } of profile.rules) {
      if (!rule.find && !rule.pem) this.add({ rule, order: 0, line: 0, start: 0, end: 0, secret: t.path }, t, 0, "(file)");
    }
    if (profile.rules.every(({ rule }) => !rule.find && !rule.pem)) return undefined;
    return routeByHead(HEAD_BYTES, (head) => this.route(head, profile, t));
  }

  /** True when a global path allowlist (no rule ids, OR) takes in `path`: such files are never read. */
  private allowed(path: string): boolean {
    return this.globalPathAllow.length > 0 && this.globalPathAllow.some((a) => a.paths.some((test) => test(path)));
  }

  /** Where a file goes, by its first bytes: magic numbers first (cheap), then the binary test. */
  private route(head: Buffer, profile: Profile, t: Target): ContentSink {
    // The head may be a whole first chunk (up to 1 MiB): every test reads its first 8 KiB only.
    const first = head.length > HEAD_BYTES ? head.subarray(0, HEAD_BYTES) : head;
    let kind: PackedKind | "text" | "binary" | undefined = sniffMagic(first, t.path);
    if (!kind) kind = looksBinary(first) ? (sniffUtf16(first) ?? "binary") : "text";
    if (kind === "text") return this.textSink(profile, t);
    if (kind === "binary") {
      this.stats.binarySkipped++;
      return this.rawNeedles ? this.rawSink(t) : NULL_SINK;
    }
    if (isArchive(kind)) {
      this.stats.archives++;
      return archiveSink(kind, this.archiveContext(t), t.size);
    }
    this.stats.decoded++;
    return kind === "pyc" ? this.pycSink(profile, t) : utf16Sink(kind, this.textSink(profile, t));
  }

  /** Scans text as it streams, up to maxFileBytes (then a note). */
  private textSink(profile: Profile, t: Target): ContentSink {
    const scan = new FileScan(profile, this.rules.allowlists, t.rulePath, this.windowChars);
    const max = this.maxFileBytes;
    let bytes = 0;
    let cut = false;
    return {
      write: (b) => {
        const room = max - bytes;
        // Noted once bytes are really dropped: a file of exactly maxFileBytes was scanned whole.
        if (b.length > room && !cut) {
          cut = true;
          this.notes.push({ layer: t.layer, path: t.path, message: `secret scan stopped after ${max} bytes (maxFileBytes)` });
        }
        if (room <= 0) return;
        const part = b.length > room ? b.subarray(0, room) : b;
        bytes += part.length;
        scan.write(part);
      },
      end: () => {
        this.stats.filesScanned++;
        this.stats.bytesScanned += bytes;
        for (const c of scan.finish()) this.add(c, t, c.line);
      },
    };
  }

  /** A binary file's raw bytes searched for the build secrets' forms only (the canary); a finding has line 0. */
  private rawSink(t: Target): ContentSink {
    const search = (this.rawNeedles as RawNeedles).searcher();
    return {
      write: (chunk) => search.write(chunk),
      end: () => {
        for (const [id, form] of search.found()) {
          const rule = this.rules.rules.find((r) => r.id === `${CANARY_PREFIX}${id}`);
          if (rule) this.add({ rule, order: 0, line: 0, start: 0, end: 0, secret: form }, t, 0);
        }
      },
    };
  }

  /** Buffers a .pyc (up to maxMemberBytes) and scans its constants (or the fallback's strings: ./unpack/pyc.ts). */
  private pycSink(profile: Profile, t: Target): ContentSink {
    const max = this.limits.maxMemberBytes;
    const buf = new CappedBuffer(max, t.size);
    return {
      write: (chunk) => buf.push(chunk),
      end: () => {
        if (buf.full) this.notes.push({ layer: t.layer, path: t.path, message: `.pyc larger than maxMemberBytes (${max}); only its first ${max} bytes were read` });
        const bytes = buf.bytes();
        this.scanStrings(profile, t, pycStrings(bytes));
      },
    };
  }

  /** Scans strings as lines; a finding's line is the 1-based ordinal of the string it is in. */
  private scanStrings(profile: Profile, t: Target, strings: Buffer[]): void {
    const scan = new FileScan(profile, this.rules.allowlists, t.rulePath, this.windowChars);
    const starts: number[] = [];
    const parts: Buffer[] = [];
    let line = 1;
    for (const s of strings) {
      starts.push(line);
      parts.push(s, NEWLINE);
      for (let at = s.indexOf(10); at >= 0; at = s.indexOf(10, at + 1)) line++;
      line++;
    }
    // One write: the engine's cost is per call, and a module has hundreds of short constants.
    const text = Buffer.concat(parts);
    scan.write(text);
    this.stats.filesScanned++;
    this.stats.bytesScanned += text.length;
    // The fallback may give one secret twice (carved, and inside a printable run): report it once.
    const seen = new Set<string>();
    for (const c of scan.finish()) {
      const key = `${c.rule.id}\0${c.secret}`;
      if (seen.has(key)) continue;
      seen.add(key);
      this.add(c, t, ordinalAt(starts, c.line));
    }
  }

  /** The archive at `t`, for an unpacker: its members are opened as targets one level deeper. */
  private archiveContext(t: Target): ArchiveContext {
    return {
      layer: t.layer,
      path: t.path,
      depth: t.depth,
      limits: this.limits,
      budget: this.budget,
      problem: noteOnce(this.notes, t.layer, t.path),
      openMember: (name, size) =>
        this.open({ layer: t.layer, path: `${t.path}!${name}`, rulePath: name, depth: t.depth + 1, size }) ?? NULL_SINK,
    };
  }

  /** Records a finding (redacted), unless its fingerprint is allowlisted. */
  private add(c: Candidate, t: Target, line: number, redacted = redact(c.secret)): void {
    const { layer, path } = t;
    const location: SecretLocation = { kind: "file", layer, path, line };
    // The diff_id, not the blob digest: a fingerprint allowlisted from a `docker save` run must hold for
    // a Dagger export of the same image, whose layers are compressed differently.
    const fp = fingerprint(c.rule.id, digestHex12(layer.diffId ?? layer.digest), path, line);
    if (this.rules.fingerprints.has(fp)) return;
    this.found.push({ ruleId: c.rule.id, description: c.rule.description, location, redacted, fingerprint: fp });
  }

  private profileFor(path: string): Profile {
    const applicable = this.ordered.filter(({ rule }) => appliesTo(rule, path));
    const key = applicable.map((a) => a.order).join(",");
    let p = this.profiles.get(key);
    if (!p) this.profiles.set(key, (p = new Profile(applicable)));
    return p;
  }
}

/** The 1-based index of the string whose first line is the last one at or before `line`. */
function ordinalAt(starts: number[], line: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= line) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

export function appliesTo(rule: SecretRule, path: string): boolean {
  if (rule.configOnly) return false;
  if (rule.appliesTo && !rule.appliesTo(path)) return false;
  // A rule's own OR-allowlist of paths means "never this file" (gitleaks semantics).
  return !rule.allowlists.some((a) => a.condition === "OR" && a.paths.some((p) => p(path)));
}
