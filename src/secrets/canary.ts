/**
 * The build-secret leak canary. verify knows the exact value of each build secret it handed to the build,
 * so it can look for that value itself, and for its base64 and hex forms, wherever the scanner reads: every
 * text file, every decoded .pyc and UTF-16 file, every archive member, Env, labels and history, and (raw
 * bytes only) the binary files the rules skip. No format rule is needed: a key of any shape is found.
 *
 * The values live only in memory, inside the rules built here; every finding carries a redacted form.
 */
import type { RawMatch, SecretRule } from "./rule.js";

/** The id prefix of canary rules: `build-secret:<id>`. The build-secret-not-leaked check takes these. */
export const CANARY_PREFIX = "build-secret:";
/** Shorter values would match by chance in a large image; they are listed as not searched instead. */
export const MIN_CANARY_CHARS = 8;

/** The build secrets a scan looks for: id → value. */
export type CanaryValues = Record<string, string>;

/** True for a finding of the canary (a build secret's value), not of a format rule. */
export const isCanaryRule = (ruleId: string): boolean => ruleId.startsWith(CANARY_PREFIX);

/**
 * The forms a value takes in an image: itself; base64 (standard and URL-safe) at each of the three
 * alignments it can have inside a longer encoded text, without the edge characters its neighbours
 * change; hex in lower and upper case.
 */
export function canaryForms(value: string): string[] {
  const bytes = Buffer.from(value, "utf8");
  const forms = new Set<string>([value, bytes.toString("hex"), bytes.toString("hex").toUpperCase()]);
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString("base64").replace(/=+$/, "");
    // Characters that carry bits of the padding before, or of what follows, differ from text to text.
    const first = Math.ceil((8 * shift) / 6);
    const last = Math.floor((8 * (shift + bytes.length)) / 6);
    const core = encoded.slice(first, last);
    if (core.length >= MIN_CANARY_CHARS) {
      forms.add(core);
      forms.add(core.replace(/\+/g, "-").replace(/\//g, "_"));
    }
  }
  return [...forms];
}

/** One rule per build secret; values shorter than MIN_CANARY_CHARS are left out (see tooShort). */
export function canaryRules(values: CanaryValues): SecretRule[] {
  return Object.entries(values)
    .filter(([, value]) => value.length >= MIN_CANARY_CHARS)
    .map(([id, value]) => {
      const forms = canaryForms(value);
      return {
        id: `${CANARY_PREFIX}${id}`,
        description: `the value of build secret "${id}" (or its base64 or hex form)`,
        // The prefilter is case-insensitive: lower-case keywords, exact matching in find().
        keywords: [...new Set(forms.map((f) => f.toLowerCase()))],
        find: (line) => findForms(line, forms),
        secretGroup: 0,
        allowlists: [],
      };
    });
}

/** Ids whose values are too short to search for without false matches. */
export function tooShort(values: CanaryValues): string[] {
  return Object.entries(values)
    .filter(([, value]) => value.length < MIN_CANARY_CHARS)
    .map(([id]) => id);
}

function* findForms(line: string, forms: string[]): Iterable<RawMatch> {
  for (const form of forms) {
    for (let at = line.indexOf(form); at >= 0; at = line.indexOf(form, at + form.length)) yield { index: at, groups: [form] };
  }
}

/**
 * The forms as bytes, for the raw search of binary files (shared objects, databases, unknown blobs):
 * searched chunk by chunk, keeping the tail of each chunk so a value split across two is still found.
 */
export class RawNeedles {
  private readonly needles: Array<{ id: string; bytes: Buffer }>;
  readonly longest: number;

  constructor(values: CanaryValues) {
    this.needles = Object.entries(values)
      .filter(([, value]) => value.length >= MIN_CANARY_CHARS)
      .flatMap(([id, value]) => canaryForms(value).map((form) => ({ id, bytes: Buffer.from(form, "utf8") })));
    this.longest = Math.max(0, ...this.needles.map((n) => n.bytes.length));
  }

  get empty(): boolean {
    return this.needles.length === 0;
  }

  /** A searcher for one file: feed chunks, then ask which ids were found, with the matched form. */
  searcher(): { write(chunk: Buffer): void; found(): Map<string, string> } {
    const found = new Map<string, string>();
    const keep = Math.max(0, this.longest - 1);
    let tail = Buffer.alloc(0);
    const search = (bytes: Buffer) => {
      for (const { id, bytes: needle } of this.needles) {
        if (!found.has(id) && bytes.indexOf(needle) >= 0) found.set(id, needle.toString("utf8"));
      }
    };
    return {
      write: (chunk) => {
        // The chunk itself, and the seam with the previous one: no copy of whole chunks.
        if (tail.length) search(Buffer.concat([tail, chunk.subarray(0, keep)]));
        search(chunk);
        tail = Buffer.from(chunk.length >= keep ? chunk.subarray(chunk.length - keep) : Buffer.concat([tail, chunk]).subarray(-keep));
      },
      found: () => found,
    };
  }
}
