/**
 * Benchmark the image reader: `npx tsx bench/tools/read-image.ts <tarball> [--scan] [--threads auto|main|worker]`.
 * Prints uncompressed MB/s over all layers, wall time and peak RSS. A byte-counting visitor is attached so
 * file contents really flow through the visitor path, as the secret scanner's would; with `--scan` the
 * secret scanner itself (built-in rules) rides the pass instead, and its findings and notes are counted.
 * `--threads` picks where layer bytes are read (ReadOptions.layerThreads; default auto).
 */
import { readImage } from "../../src/image/read.js";
import type { ContentVisitor } from "../../src/image/types.js";
import { defaultRuleSet } from "../../src/secrets/load.js";
import { createSecretScanner, type SecretScanner } from "../../src/secrets/scanner.js";

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const threadsAt = args.indexOf("--threads");
  const layerThreads = (threadsAt >= 0 ? args.splice(threadsAt, 2)[1] : "auto") as "auto" | "main" | "worker";
  const path = args.find((a) => !a.startsWith("--"));
  if (!path) {
    console.error("usage: npx tsx bench/tools/read-image.ts <image-tarball> [--scan]");
    process.exit(2);
  }
  let peakRss = process.memoryUsage().rss;
  const sample = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 20);
  let visited = 0;
  const counter: ContentVisitor = { open: () => ({ write: (c) => { visited += c.length; }, end: () => undefined }) };
  const scanner: SecretScanner | undefined = process.argv.includes("--scan") ? createSecretScanner({ rules: defaultRuleSet() }) : undefined;
  const t0 = process.hrtime.bigint();
  const idx = await readImage(path, { visitors: [scanner ? scanner.visitor : counter], layerThreads });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  clearInterval(sample);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const mb = (n: number) => n / 1e6;
  const uncompressed = idx.layers.reduce((s, l) => s + l.uncompressedSize, 0);
  const stored = idx.layers.reduce((s, l) => s + l.size, 0);
  console.log(`format ${idx.source.format}, ${idx.layers.length} layers (${[...new Set(idx.layers.map((l) => l.compression))].join(",")})`);
  if (scanner) {
    const s = scanner.stats();
    console.log(`secret scan: ${s.filesScanned} text files (${mb(s.bytesScanned).toFixed(1)} MB), ${s.binarySkipped} binary skipped, ${scanner.findings().length} findings, ${scanner.notes().length} notes`);
  } else {
    console.log(`stored ${mb(stored).toFixed(1)} MB, uncompressed ${mb(uncompressed).toFixed(1)} MB, file bytes visited ${mb(visited).toFixed(1)} MB`);
  }
  console.log(`time ${secs.toFixed(2)} s, ${(mb(uncompressed) / secs).toFixed(1)} MB/s uncompressed, peak RSS ${mb(peakRss).toFixed(0)} MB`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
