/**
 * Benchmark the image reader: `npx tsx bench/tools/read-image.ts <tarball>`.
 * Prints uncompressed MB/s over all layers, wall time and peak RSS. A byte-counting visitor is attached so
 * file contents really flow through the visitor path, as the secret scanner's would.
 */
import { readImage } from "../../src/image/read.js";
import type { ContentVisitor } from "../../src/image/types.js";

async function main(): Promise<void> {
  const path = process.argv[2];
  if (!path) {
    console.error("usage: npx tsx bench/tools/read-image.ts <image-tarball>");
    process.exit(2);
  }
  let peakRss = process.memoryUsage().rss;
  const sample = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 20);
  let visited = 0;
  const counter: ContentVisitor = { open: () => ({ write: (c) => { visited += c.length; }, end: () => undefined }) };
  const t0 = process.hrtime.bigint();
  const idx = await readImage(path, { visitors: [counter] });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  clearInterval(sample);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const mb = (n: number) => n / 1e6;
  const uncompressed = idx.layers.reduce((s, l) => s + l.uncompressedSize, 0);
  const stored = idx.layers.reduce((s, l) => s + l.size, 0);
  console.log(`format ${idx.source.format}, ${idx.layers.length} layers (${[...new Set(idx.layers.map((l) => l.compression))].join(",")})`);
  console.log(`stored ${mb(stored).toFixed(1)} MB, uncompressed ${mb(uncompressed).toFixed(1)} MB, file bytes visited ${mb(visited).toFixed(1)} MB`);
  console.log(`time ${secs.toFixed(2)} s, ${(mb(uncompressed) / secs).toFixed(1)} MB/s uncompressed, peak RSS ${mb(peakRss).toFixed(0)} MB`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
