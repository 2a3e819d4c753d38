/**
 * The secret scanner: a ContentVisitor for the reader's single streaming pass over every layer, plus a scan
 * of the image config (Env, Labels, history). Only redacted forms of secrets ever leave it.
 *
 * Each file's first 8 KiB decide how it is read (./unpack/):
 * - text is scanned line by line (./engine.ts);
 * - UTF-16 text (LE or BE, with or without a BOM) is decoded to UTF-8 and scanned the same way;
 * - a CPython 3.8-3.13 `.pyc` gives its string and bytes constants (marshal co_consts, nested code objects
 *   included), each scanned as a line; a finding's line is the constant's ordinal, 1-based, in the order
 *   the marshal data holds them (corrupt marshal data: the constants before the damage; other versions:
 *   strings carved by their marshal headers, else printable runs, numbered the same way);
 * - zip-family archives (.zip, .whl, .egg, .jar), tar, gzip (.tar.gz, .tgz, .gz) are detected by magic
 *   bytes (tar by its ustar magic or a `.tar` name) and unpacked: each member is scanned as a file of its
 *   own path inside the archive (a `.env` member meets the .env rules) and reported as
 *   `<archive path>!<member path>`, recursively up to maxDepth (3) archives deep;
 * - any other file with a NUL byte or more than 10% control bytes is binary and skipped by the rules; only
 *   the build-secret canary (./canary.ts) searches its raw bytes for the values it was given.
 * Unpacking is bounded (UnpackOptions: per-member and per-image byte budgets, a zip buffer cap, a ratio
 * guard against bombs); a hostile or broken archive leaves one ScanNote and the scan goes on.
 */
import type { ContentVisitor, HistoryEntry, ImageConfig, LayerRef } from "../image/types.js";
import { FileScan, Profile, type Candidate } from "./engine.js";
import { fingerprint, redact } from "./redact.js";
import type { RuleSet, SecretRule } from "./rule.js";
import type { ScanNote, SecretFinding, SecretLocation } from "./types.js";
import { configItems, historyPairs } from "./config-text.js";
import { FileScanner, type ScanStats } from "./files.js";
import type { UnpackOptions } from "./unpack/index.js";
import { canaryRules, isCanaryRule, RawNeedles, type CanaryValues } from "./canary.js";

export { looksBinary, type ScanStats } from "./files.js";

export interface ScannerOptions {
  rules: RuleSet;
  /** Bytes scanned per file before stopping with a note (default 64 MiB). */
  maxFileBytes?: number;
  /** Longest line scanned at once; longer lines are scanned in overlapping windows (default 64 KiB). */
  windowBytes?: number;
  /** Bounds on unpacking archives and decoding .pyc files (see UNPACK_DEFAULTS in ./unpack/context.ts). */
  unpack?: UnpackOptions;
  /** Build secrets (id → value) to look for in every form and every file: the leak canary (./canary.ts). */
  canary?: CanaryValues;
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

/** Creates a scanner from a rule set (see loadSecretRules in ./load.ts). */
export function createSecretScanner(options: ScannerOptions): SecretScanner {
  const canary = options.canary ?? {};
  const rules = { ...options.rules, rules: [...options.rules.rules, ...canaryRules(canary)] };
  const ordered = rules.rules.map((rule, order) => ({ rule, order }));
  const files = new FileScanner(rules, ordered, { ...options, rawNeedles: new RawNeedles(canary) });
  const visitor: ContentVisitor = {
    open({ layer, entry }) {
      if (entry.type !== "file" || entry.size === 0) return undefined;
      return files.open({ layer, path: entry.path, rulePath: entry.path, depth: 0, size: entry.size });
    },
  };
  return {
    visitor,
    findings: () => [...files.found],
    notes: () => files.notes.map((n) => ({ ...n })),
    stats: () => ({ ...files.stats }),
    scanImageConfig: (config, history, layers) => scanConfig(rules, ordered, config, history, layers),
    maskSecrets: (text) => maskSecrets(rules, ordered, text),
  };
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
    // The canary counts apart: a build secret's value is its finding even when a format rule saw it first.
    const seen = new Set<string>();
    for (const c of configCandidates(rules, profiles, item.texts)) {
      const secretKey = `${isCanaryRule(c.rule.id) ? "canary" : "format"}:${c.secret}`;
      if (seen.has(secretKey) || seen.has(c.rule.id)) continue;
      seen.add(secretKey).add(c.rule.id);
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

