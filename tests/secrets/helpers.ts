/** Test helpers: drive the scanner's visitor directly with files split into chunks. */
import type { FileEntry, LayerRef } from "../../src/image/types.js";
import { base62, crc32 } from "../../src/secrets/checksum.js";
import { defaultRuleSet } from "../../src/secrets/load.js";
import type { RuleSet } from "../../src/secrets/rule.js";
import { createSecretScanner, type ScannerOptions, type SecretScanner } from "../../src/secrets/scanner.js";
import type { SecretFinding } from "../../src/secrets/types.js";

export const LAYER: LayerRef = { index: 1, digest: "sha256:" + "ab12cd34ef56".padEnd(64, "0"), createdBy: "COPY . /app" };

export function entry(path: string, size: number): FileEntry {
  return { path, type: "file", size, mode: 0o644, uid: 0, gid: 0 };
}

/** Feeds one file to a scanner's visitor in chunks of `chunk` bytes. */
export function feed(scanner: SecretScanner, path: string, content: string | Buffer, chunk = 7, layer = LAYER): void {
  const buf = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  const sink = scanner.visitor.open({ layer, entry: entry(path, buf.length) });
  if (!sink) return;
  for (let at = 0; at < buf.length; at += chunk) sink.write(buf.subarray(at, at + chunk));
  sink.end();
}

/** Scans files (path -> content) and returns the findings. */
export function scanFiles(
  files: Record<string, string | Buffer>,
  opts: { rules?: RuleSet; chunk?: number } & Partial<ScannerOptions> = {},
): SecretFinding[] {
  const scanner = createSecretScanner({ ...opts, rules: opts.rules ?? defaultRuleSet() });
  for (const [p, c] of Object.entries(files)) feed(scanner, p, c, opts.chunk);
  return scanner.findings();
}

/** A compact view for exact assertions: "ruleId path:line redacted". */
export function brief(findings: SecretFinding[]): string[] {
  return findings.map((f) => {
    const where = f.location.kind === "file" ? `${f.location.path}:${f.location.line}` : `${f.location.field}.${f.location.key}`;
    return `${f.ruleId} ${where} ${f.redacted}`;
  });
}

/** A token with a valid GitHub/npm checksum built from 30 "random" characters. */
export function checksummed(prefix: string, random30: string): string {
  return prefix + random30 + base62(crc32(random30), 6);
}
