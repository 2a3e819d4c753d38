// The physical limit of a streaming scan: read the image tarball once and decompress every layer, doing
// nothing with the bytes: the same stream plumbing, tar-stream and zlib as the reader, no tar parsing of
// the layers, no hashing, no scanning. Plain JavaScript so it starts as fast as node itself (the floor
// includes no transpiler). Prints the uncompressed byte count. Run: node bench/scan/decompress.mjs <tarball>
import { createReadStream } from "node:fs";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";

/** Drain one entry: gunzip it when it starts with the gzip magic, count the bytes that come out. */
async function drain(entry) {
  let bytes = 0;
  const counter = new Writable({ write(chunk, _enc, done) { bytes += chunk.length; done(); } });
  const iterator = entry[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return 0;
  const gzip = first.value[0] === 0x1f && first.value[1] === 0x8b;
  async function* all() {
    yield first.value;
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) yield r.value;
  }
  await (gzip ? pipeline(all, createGunzip({ chunkSize: 256 * 1024 }), counter) : pipeline(all, counter));
  return bytes;
}

const tarball = process.argv[2];
if (!tarball) {
  process.stderr.write("usage: node bench/scan/decompress.mjs <tarball>\n");
  process.exit(2);
}
let total = 0;
const extract = tar.extract();
extract.on("entry", (header, stream, next) => {
  if (header.type !== "file") {
    stream.resume();
    stream.on("end", next);
    return;
  }
  drain(stream).then((n) => { total += n; next(); }, next);
});
await pipeline(createReadStream(tarball, { highWaterMark: 1 << 20 }), extract);
process.stdout.write(`${total}\n`);
