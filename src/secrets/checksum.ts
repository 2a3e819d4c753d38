/**
 * GitHub- and npm-style token checksums: the last 6 characters are the CRC32 of the 30 random characters
 * after the prefix, in base62 (0-9A-Za-z), left-padded with "0". A random string that only looks like a token
 * (docs, tests, regex sources) fails this with probability 1 - 1/62^6.
 */

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * CRC32 (IEEE) of an ASCII string or of bytes (several parts are one message, as PNG chunks need). Own
 * table: zlib.crc32 needs Node 20.15, the project allows 20.12.
 */
export function crc32(...parts: Array<string | Uint8Array>): number {
  let crc = 0xffffffff;
  for (const p of parts) {
    if (typeof p === "string") for (let i = 0; i < p.length; i++) crc = CRC_TABLE[(crc ^ p.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
    else for (let i = 0; i < p.length; i++) crc = CRC_TABLE[(crc ^ p[i]!) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** Base62 of a non-negative integer, left-padded with "0" to `width`. */
export function base62(n: number, width: number): string {
  let out = "";
  let v = n;
  do {
    out = BASE62[v % 62] + out;
    v = Math.floor(v / 62);
  } while (v > 0);
  return out.padStart(width, "0");
}

/** True when `token` ("ghp_" + 30 random + 6 checksum, or "npm_" + the same) carries a valid checksum. */
export function hasValidTokenChecksum(token: string): boolean {
  const body = token.slice(token.indexOf("_") + 1);
  if (body.length !== 36) return false;
  return base62(crc32(body.slice(0, 30)), 6) === body.slice(30);
}
