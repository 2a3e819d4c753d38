/**
 * Fake secrets for tests, made at run time from seeded hashes: deterministic, high in entropy, and held by
 * no file (so no test source carries a secret-looking literal for another scanner to trip on).
 */
import { createHash } from "node:crypto";

export const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
export const ALNUM = `${UPPER}abcdefghijklmnopqrstuvwxyz0123456789`;

/** `length` characters of `alphabet`, drawn from sha256 of `seed`: the same seed always gives the same string. */
export function seeded(seed: string, alphabet: string, length: number): string {
  let out = "";
  for (let block = 0; out.length < length; block++) {
    for (const b of createHash("sha256").update(`${seed}/${block}`).digest()) out += alphabet[b % alphabet.length];
  }
  return out.slice(0, length);
}
