/**
 * The secret scanner: a ContentVisitor for the reader's single streaming pass over every layer, plus a scan
 * of the image config (Env, Labels, history). Only redacted forms of secrets ever leave it.
 *
 * Binary files are skipped by content (a NUL byte, or more than 10% control bytes, in the first 8 KiB):
 * that includes `.pyc`, shared objects, wheels and zip archives, which are not unpacked.
 */
import type { ContentSink, ContentVisitor, FileEntry, HistoryEntry, ImageConfig, LayerRef } from "../image/types.js";
import { FileScan, Profile, type Candidate } from "./engine.js";
import { digestHex12, fingerprint, redact } from "./redact.js";
import type { RuleSet, SecretRule } from "./rule.js";
import type { ScanNote, SecretFinding, SecretLocation } from "./types.js";
import { configItems, historyPairs } from "./config-text.js";

export interface ScannerOptions {
  rules: RuleSet;
  /** Bytes scanned per file before stopping with a note (default 64 MiB). */
  maxFileBytes?: number;
  /** Longest line scanned at once; longer lines are scanned in overlapping windows (default 64 KiB). */
  windowBytes?: number;
}


export interface ScanStats {
  filesScanned: number;
  binarySkipped: number;
  bytesScanned: number;
}

export interface SecretScanner {
  /** Give this to the image reader (`ReadOptions.visitors`). */
  visitor: ContentVisitor;
  /** Findings in files, in the order their files ended. */
  findings(): SecretFinding[];
  notes(): ScanNote[];
  stats(): ScanStats;
  /** Findings in the image config: Env values, Labels and history `created_by` (build args, ARG, ENV). */
  scanImageConfig(config: ImageConfig, history: HistoryEntry[], layers: LayerRef[]): SecretFinding[];
  /**
   * `text` (a created_by, an Env entry, a label) with every secret the config rules find in it replaced
   * by its redacted form, so evidence that quotes config text cannot leak what the scan reports.
   */
  maskSecrets(text: string): string;
}

const HEAD_BYTES = 8192;

/** 1 for the control bytes that do not occur in text (all but tab, newlines, form feed, carriage return). */
const CONTROL = Uint8Array.from({ length: 256 }, (_, b) => (b < 9 || (b > 13 && b < 32) || b === 127 ? 1 : 0));

/** True when the first bytes of a file say it is not text. */
export function looksBinary(head: Buffer): boolean {
  if (head.includes(0)) return true;
  let control = 0;
  for (let i = 0; i < head.length; i++) control += CONTROL[head[i]!]!;
  return control > head.length * 0.1;
}

/** Creates a scanner from a rule set (see loadSecretRules in ./load.ts). */
export function createSecretScanner(options: ScannerOptions): SecretScanner {
  const { rules } = options;
  const maxFileBytes = options.maxFileBytes ?? 64 * 1024 * 1024;
  const windowChars = options.windowBytes ?? 64 * 1024;
  const found: SecretFinding[] = [];
  const notes: ScanNote[] = [];
  const stats: ScanStats = { filesScanned: 0, binarySkipped: 0, bytesScanned: 0 };
  const profiles = new Map<string, Profile>();
  const ordered = rules.rules.map((rule, order) => ({ rule, order }));
  const globalPathAllow = rules.allowlists.filter((a) => a.condition === "OR" && !a.ruleIds && a.paths.length > 0);

  const profileFor = (path: string): Profile => {
    const applicable = ordered.filter(({ rule }) => appliesTo(rule, path));
    const key = applicable.map((a) => a.order).join(",");
    let p = profiles.get(key);
    if (!p) profiles.set(key, (p = new Profile(applicable)));
    return p;
  };

  const toFinding = (c: Candidate, layer: LayerRef, path: string): SecretFinding | undefined => {
    const location: SecretLocation = { kind: "file", layer, path, line: c.line };
    // The diff_id, not the blob digest: a fingerprint allowlisted from a `docker save` run must hold for
    // a Dagger export of the same image, whose layers are compressed differently.
    const fp = fingerprint(c.rule.id, digestHex12(layer.diffId ?? layer.digest), path, c.line);
    if (rules.fingerprints.has(fp)) return undefined;
    return { ruleId: c.rule.id, description: c.rule.description, location, redacted: redact(c.secret), fingerprint: fp };
  };

  const visitor: ContentVisitor = {
    open({ layer, entry }) {
      if (entry.type !== "file" || entry.size === 0) return undefined;
      if (globalPathAllow.some((a) => a.paths.some((p) => p(entry.path)))) return undefined;
      const profile = profileFor(entry.path);
      for (const { rule } of profile.rules) {
        if (!rule.find && !rule.pem) {
          const f = toFinding({ rule, order: 0, line: 0, start: 0, end: 0, secret: entry.path }, layer, entry.path);
          if (f) found.push({ ...f, redacted: "(file)" });
        }
      }
      if (profile.rules.every(({ rule }) => !rule.find && !rule.pem)) return undefined;
      return fileSink(profile, layer, entry);
    },
  };

  function fileSink(profile: Profile, layer: LayerRef, entry: FileEntry): ContentSink {
    const scan = new FileScan(profile, rules.allowlists, entry.path, windowChars);
    let head: Buffer[] | undefined = [];
    let headLen = 0;
    let bytes = 0;
    let state: "head" | "text" | "skip" = "head";
    const feed = (b: Buffer): void => {
      const room = maxFileBytes - bytes;
      if (room <= 0) return;
      const part = b.length > room ? b.subarray(0, room) : b;
      bytes += part.length;
      scan.write(part);
      if (bytes >= maxFileBytes) {
        notes.push({ layer, path: entry.path, message: `secret scan stopped after ${maxFileBytes} bytes (maxFileBytes)` });
      }
    };
    const decide = (): void => {
      const buf = head!.length === 1 ? head![0]! : Buffer.concat(head!, headLen);
      head = undefined;
      if (looksBinary(buf.subarray(0, HEAD_BYTES))) {
        state = "skip";
        stats.binarySkipped++;
        return;
      }
      state = "text";
      feed(buf);
    };
    return {
      write(chunk) {
        if (state === "head") {
          head!.push(chunk);
          headLen += chunk.length;
          if (headLen >= HEAD_BYTES) decide();
        } else if (state === "text") feed(chunk);
      },
      end() {
        if (state === "head") decide();
        if (state !== "text") return;
        stats.filesScanned++;
        stats.bytesScanned += bytes;
        for (const c of scan.finish()) {
          const f = toFinding(c, layer, entry.path);
          if (f) found.push(f);
        }
      },
    };
  }

  return {
    visitor,
    findings: () => [...found],
    notes: () => [...notes],
    stats: () => ({ ...stats }),
    scanImageConfig: (config, history, layers) => scanConfig(rules, ordered, config, history, layers),
    maskSecrets: (text) => maskSecrets(rules, ordered, text),
  };
}

function appliesTo(rule: SecretRule, path: string): boolean {
  if (rule.configOnly) return false;
  if (rule.appliesTo && !rule.appliesTo(path)) return false;
  // A rule's own OR-allowlist of paths means "never this file" (gitleaks semantics).
  return !rule.allowlists.some((a) => a.condition === "OR" && a.paths.some((p) => p(path)));
}

/** The rule profiles that apply to config text (not to files by path). */
function configProfiles(ordered: Array<{ rule: SecretRule; order: number }>): Profile[] {
  // Rules restricted to paths (file rules, config-file assignments) do not apply to config values.
  return [
    new Profile(ordered.filter(({ rule }) => rule.configOnly || (!rule.appliesTo && !rule.pem))),
    new Profile(ordered.filter(({ rule }) => rule.pem && !rule.appliesTo)),
  ];
}

/** Every candidate the config rules find in the texts, allowlists applied. */
function configCandidates(rules: RuleSet, profiles: Profile[], texts: string[]): Candidate[] {
  return texts.flatMap((text) =>
    profiles.flatMap((p) => {
      const scan = new FileScan(p, rules.allowlists, "", 64 * 1024);
      scan.scanText(text);
      return scan.finish();
    }),
  );
}

function maskSecrets(rules: RuleSet, ordered: Array<{ rule: SecretRule; order: number }>, text: string): string {
  const secrets = configCandidates(rules, configProfiles(ordered), [...historyPairs(text), text]).map((c) => c.secret);
  // Longest first, so a secret that contains another is masked whole.
  return [...new Set(secrets)].sort((a, b) => b.length - a.length).reduce((t, secret) => t.split(secret).join(redact(secret)), text);
}

function scanConfig(
  rules: RuleSet,
  ordered: Array<{ rule: SecretRule; order: number }>,
  config: ImageConfig,
  history: HistoryEntry[],
  layers: LayerRef[],
): SecretFinding[] {
  const profiles = configProfiles(ordered);
  const out: SecretFinding[] = [];
  for (const item of configItems(config, history)) {
    // One finding per secret and per rule within an item: its texts overlap (pairs and the whole line).
    const seen = new Set<string>();
    for (const c of configCandidates(rules, profiles, item.texts)) {
      if (seen.has(c.secret) || seen.has(c.rule.id)) continue;
      seen.add(c.secret).add(c.rule.id);
      const fp = fingerprint(c.rule.id, "config", `${item.field}.${item.key}`, 0);
      if (rules.fingerprints.has(fp)) continue;
      const location: SecretLocation = {
        kind: "config",
        field: item.field,
        key: item.key,
        ...layerRefAt(layers, item.layerIndex),
        ...(item.historyIndex !== undefined ? { historyIndex: item.historyIndex } : {}),
      };
      out.push({ ruleId: c.rule.id, description: c.rule.description, location, redacted: redact(c.secret), fingerprint: fp });
    }
  }
  return out;
}

/** `{ layer }` for a history item that made a layer: only the LayerRef part, not a whole LayerInfo with its entries. */
function layerRefAt(layers: LayerRef[], index?: number): { layer?: LayerRef } {
  const found = index === undefined ? undefined : layers.find((l) => l.index === index);
  return found ? { layer: { index: found.index, digest: found.digest, diffId: found.diffId, createdBy: found.createdBy } } : {};
}

