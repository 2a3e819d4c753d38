/**
 * One-line descriptions shared by the checks' evidence: layers, digests, sizes, capped lists.
 */
import type { LayerRef } from "../../image/types.js";

/** "sha256:0123456789ab" from a full digest: enough to tell layers apart in a report line. */
export function shortDigest(digest: string): string {
  const [algo, hex] = digest.includes(":") ? digest.split(":", 2) : ["sha256", digest];
  return `${algo}:${hex.slice(0, 12)}`;
}

/** A Dockerfile instruction cut to `max` characters, whitespace collapsed, for one-line evidence. */
export function truncate(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** `layer 3 (RUN uv sync --frozen)`: which layer, and what made it. */
export function describeLayer(layer: LayerRef): string {
  return `layer ${layer.index} (${truncate(layer.createdBy) || "created by: unknown"})`;
}

/** Bytes as "12.3 MB" (decimal units, as `docker images` prints them). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** Evidence lines capped at `max`, with a last line saying how many were left out. */
export function capLines(lines: string[], max = 20): string[] {
  return lines.length <= max ? lines : [...lines.slice(0, max), `… and ${lines.length - max} more`];
}

const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^:/\s@]*:)([^@\s/]+)@/gi;
const SECRET_ASSIGN = /((?:password|passwd|pwd|secret|token|api[-_]?key|access[-_]?key|credentials?)[a-z0-9_-]*[=:])([^\s&'"]+)/gi;
const SECRET_FLAG = /^--?[a-z0-9-]*(?:password|passwd|secret|token|api-?key)$/i;

/**
 * An argv (CMD, ENTRYPOINT, HEALTHCHECK) with credential-looking values masked: evidence prints argv,
 * and a password passed on the command line must not reach a report (the secret scan reports it).
 */
export function maskArgv(argv: string[]): string[] {
  return argv.map((arg, i) =>
    i > 0 && SECRET_FLAG.test(argv[i - 1]) ? "****" : arg.replace(URL_PASSWORD, "$1****@").replace(SECRET_ASSIGN, "$1****"),
  );
}
