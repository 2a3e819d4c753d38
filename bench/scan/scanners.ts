/**
 * Our side of the scan rows, measured exactly like the peers (a child process, wall time and peak RSS):
 * the raw decompression of the tarball (the physical limit) and `image-verify inspect`, the product's own
 * command (reading, secret scan and static checks in one streaming pass).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { PlacedFinding } from "../lib/findings.js";
import { measureCommand } from "../lib/measure.js";

export interface ScanRun {
  wallMs: number;
  peakRssBytes: number;
  findings: PlacedFinding[];
}

const ROOT = resolve(import.meta.dirname, "../..");
const SCAN_TIMEOUT_MS = 30 * 60_000;

/** Decompress every layer and count the bytes: no findings, only the time and memory it takes. */
export async function runRawDecompression(tarball: string): Promise<ScanRun> {
  const m = await measureCommand(["node", join(ROOT, "bench/scan/decompress.mjs"), tarball], { timeoutMs: SCAN_TIMEOUT_MS, cwd: ROOT });
  return { wallMs: m.wallMs, peakRssBytes: m.peakRssBytes, findings: [] };
}

interface JsonSecret {
  ruleId: string;
  location: { kind: string; path?: string; line?: number; layer?: { index: number }; key?: string };
}

/** `image-verify inspect <tarball> --format json`; exit 1 (a check failed) is a normal outcome here. */
export async function runOurs(tarball: string): Promise<ScanRun> {
  const dir = await mkdtemp(join(tmpdir(), "bench-ours-"));
  try {
    const report = join(dir, "report.json");
    const argv = ["node", join(ROOT, "bin/image-verify.mjs"), "inspect", tarball, "--format", "json", "--output", report];
    const m = await measureCommand(argv, { timeoutMs: SCAN_TIMEOUT_MS, cwd: ROOT, okExitCodes: [0, 1] });
    const secrets = (JSON.parse(await readFile(report, "utf8")) as { secrets: JsonSecret[] }).secrets;
    const findings = secrets.map((s): PlacedFinding => ({
      ruleId: s.ruleId,
      layer: s.location.layer?.index,
      path: s.location.kind === "file" ? (s.location.path ?? "") : `<config ${s.location.key ?? ""}>`,
      line: s.location.line,
    }));
    return { wallMs: m.wallMs, peakRssBytes: m.peakRssBytes, findings };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
