/**
 * PEM and OpenSSH private keys. A header alone is not a key (libraries print, parse and document headers), so a
 * finding needs a real body: at least 64 base64 characters of high entropy before the END line. Bodies are
 * recognised on the header's line (JSON and Python strings with "\n" escapes) or on the following lines (a
 * key file, or a Python literal split over lines).
 */
import { shannonEntropy } from "./redact.js";

const HEADER = /-----BEGIN (?:(?:RSA|EC|OPENSSH|DSA|PGP|ENCRYPTED) )?PRIVATE KEY(?: BLOCK)?-----/g;
const MIN_BODY = 64;
const MIN_ENTROPY = 4.5;
/** A body longer than this is not kept in full: enough for the redacted form and the entropy test. */
const MAX_KEPT = 4096;
const MAX_LINES = 400;

/** A complete key: where its body starts on the header line, and the (possibly truncated) body. */
export interface PemKey {
  index: number;
  body: string;
}

/** Removes string-literal noise around one line of a key: quotes, "\n" escapes, commas, "+", b"" prefixes. */
function cleanBodyLine(line: string): string {
  return line
    .replace(/\\[nr]/g, "")
    .trim()
    .replace(/^(?:\+\s*)?b?["']|["'],?\s*\+?\s*\)?$|,$/g, "")
    .trim();
}

const isStrongBody = (body: string): boolean => body.length >= MIN_BODY && shannonEntropy(body) >= MIN_ENTROPY;

/**
 * Looks at one line for private key headers. Returns keys whose body is on the same line, and the column of a
 * header that ends the line (its body may follow on the next lines), if any.
 */
export function pemOnLine(line: string): { keys: PemKey[]; openAt?: number } {
  const keys: PemKey[] = [];
  let openAt: number | undefined;
  for (const m of line.matchAll(HEADER)) {
    const after = (m.index ?? 0) + m[0].length;
    const rest = line.slice(after);
    const body = /^(?:\\[nr]|\s)*([A-Za-z0-9+/=]+(?:(?:\\[nr])+[A-Za-z0-9+/=]+)*)/.exec(rest);
    const flat = body ? body[1].replace(/\\[nr]/g, "") : "";
    if (isStrongBody(flat)) keys.push({ index: after + rest.indexOf(body![1]), body: flat.slice(0, MAX_KEPT) });
    else if (/^(?:\\[nr]|["',+\s])*$/.test(rest)) openAt = m.index;
  }
  return { keys, openAt };
}

/** Follows the lines after a header that ended its line, until END (a key) or anything else (not a key). */
export class PemTracker {
  private body = "";
  private lines = 0;

  constructor(
    readonly line: number,
    readonly index: number,
  ) {}

  /** Feeds the next line: "more" to keep going, a PemKey when the key is complete, undefined when abandoned. */
  feed(raw: string): "more" | PemKey | undefined {
    if (++this.lines > MAX_LINES) return undefined;
    const line = cleanBodyLine(raw);
    if (line.includes("-----END ")) {
      return isStrongBody(this.body) ? { index: this.index, body: this.body } : undefined;
    }
    if (line === "" || /^[A-Za-z-]+: /.test(line)) return "more"; // PEM/PGP armour headers and blank lines
    if (!/^[A-Za-z0-9+/=]+$/.test(line)) return undefined;
    if (this.body.length < MAX_KEPT) this.body += line;
    return "more";
  }
}
