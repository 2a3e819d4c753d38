/**
 * Randomness: a seeded 32-bit PRNG for decisions, AES-CTR keystreams for bulk incompressible bytes, labels
 * hashed into seeds, and the character sets values are drawn from. Everything random in the image comes from
 * here, so the same seed gives the same bytes.
 */
import { createCipheriv, createHash } from "node:crypto";
import { MiB } from "./constants.js";

/** mulberry32: small, fast, good enough for choosing things. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  u32(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  float(): number {
    return this.u32() / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.float() * n);
  }
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  chance(p: number): boolean {
    return this.float() < p;
  }
  /** Log-normal around `median`, clamped to [min, max]. */
  size(median: number, sigma: number, min: number, max: number): number {
    const u = Math.max(this.float(), 1e-12);
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float());
    return Math.round(Math.min(max, Math.max(min, median * Math.exp(sigma * z))));
  }
  chars(alphabet: string, n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += alphabet[this.int(alphabet.length)];
    return s;
  }
}

export const hash32 = (label: string): number => createHash("sha256").update(label).digest().readUInt32LE(0);

const ZEROS = Buffer.alloc(MiB);

/** Deterministic incompressible bytes: AES-128-CTR keystream keyed by a label. */
export class RandomBytes {
  private readonly cipher;
  constructor(label: string) {
    const k = createHash("sha256").update(label).digest();
    this.cipher = createCipheriv("aes-128-ctr", k.subarray(0, 16), k.subarray(16, 32));
  }
  take(n: number): Buffer {
    if (n <= ZEROS.length) return this.cipher.update(ZEROS.subarray(0, n));
    const parts: Buffer[] = [];
    for (let left = n; left > 0; left -= ZEROS.length) parts.push(this.cipher.update(ZEROS.subarray(0, Math.min(left, ZEROS.length))));
    return Buffer.concat(parts);
  }
}

export const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
export const LOWER = "abcdefghijklmnopqrstuvwxyz";
export const DIGITS = "0123456789";
export const ALNUM = UPPER + LOWER + DIGITS;
const HEX = "0123456789abcdef";
export const B64URL = `${ALNUM}-_`;

export const hex = (r: Rng, n: number): string => r.chars(HEX, n);
