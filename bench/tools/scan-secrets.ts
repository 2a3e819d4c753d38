/**
 * Throughput of the secret scanner's visitor over real text: the files of a directory (default: the API venv,
 * api/.venv), fed in 64 KiB chunks as the image reader would, repeated until about 200 MB went through.
 * Prints MB/s and the findings of the first pass (redacted). Run: npx tsx bench/tools/scan-secrets.ts [dir] [MB]
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { LayerRef } from "../../src/image/types.js";
import { defaultRuleSet } from "../../src/secrets/load.js";
import { createSecretScanner } from "../../src/secrets/scanner.js";

const root = process.argv[2] ?? "api/.venv";
const targetMB = Number(process.argv[3] ?? 200);

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (st?.isDirectory() && !st.isSymbolicLink()) walk(p, out);
    else if (st?.isFile()) out.push(p);
  }
  return out;
}

const files = walk(root, []).map((p) => ({ path: relative(root, p), data: readFileSync(p) }));
const total = files.reduce((n, f) => n + f.data.length, 0);
const passes = Math.max(1, Math.round((targetMB * 1e6) / total));
const scanner = createSecretScanner({ rules: defaultRuleSet() });
const start = performance.now();
for (let pass = 0; pass < passes; pass++) {
  const layer: LayerRef = { index: pass, digest: `sha256:${String(pass).padStart(64, "0")}`, createdBy: "" };
  for (const f of files) {
    const sink = scanner.visitor.open({ layer, entry: { path: f.path, type: "file", size: f.data.length, mode: 0o644, uid: 0, gid: 0 } });
    if (!sink) continue;
    for (let at = 0; at < f.data.length; at += 65536) sink.write(f.data.subarray(at, at + 65536));
    sink.end();
  }
  if (pass === 0) {
    for (const f of scanner.findings()) console.log(`${f.ruleId} ${f.location.kind === "file" ? `${f.location.path}:${f.location.line}` : ""} ${f.redacted}`);
  }
}
const secs = (performance.now() - start) / 1000;
const mb = (total * passes) / 1e6;
const s = scanner.stats();
console.log(`${files.length} files, ${(total / 1e6).toFixed(1)} MB x ${passes} passes = ${mb.toFixed(0)} MB in ${secs.toFixed(2)} s: ${(mb / secs).toFixed(1)} MB/s`);
console.log(`text only: ${(s.bytesScanned / 1e6 / secs).toFixed(1)} MB/s; text files scanned ${s.filesScanned} (${(s.bytesScanned / passes / 1e6).toFixed(1)} MB of text), binary skipped ${s.binarySkipped}, findings ${scanner.findings().length / passes}`);
