/**
 * Redaction and fingerprints: the only forms in which a secret ever leaves the scanner.
 */

/** Longest run of "*" shown for the masked middle, so a 3 KB private key does not flood a report. */
const MAX_STARS = 16;

/**
 * Masks a secret: at most the first 4 and last 2 characters stay visible (first 2 and last 1 for secrets of
 * 12 to 19 characters, none under 12). The masked middle is shown as "*" (capped at 16 so long keys stay
 * readable), so the full value can never be recovered from the result.
 */
export function redact(secret: string): string {
  const n = secret.length;
  if (n < 12) return "*".repeat(Math.max(n, 4));
  const [head, tail] = n < 20 ? [2, 1] : [4, 2];
  const stars = Math.min(n - head - tail, MAX_STARS);
  return secret.slice(0, head) + "*".repeat(stars) + secret.slice(n - tail);
}

/** Shannon entropy of a string in bits per character (0 for ""). */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** Short form of a layer digest for fingerprints: the first 12 hex digits ("sha256:" dropped). */
export function digestHex12(digest: string): string {
  const hex = digest.includes(":") ? digest.slice(digest.indexOf(":") + 1) : digest;
  return hex.slice(0, 12);
}

/** Fingerprint of a finding: "<ruleId>:<layer digest short or config>:<path or key>:<line>". */
export function fingerprint(ruleId: string, where: string, pathOrKey: string, line: number): string {
  return `${ruleId}:${where}:${pathOrKey}:${line}`;
}
