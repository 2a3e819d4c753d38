// @ts-check
/**
 * Streaming zstd decompression as a pipeline stage: node:zlib's own (native, Node >= 22.15 / 23.8, so the
 * Dagger module's node:24) when this Node has it, else fzstd (pure JS). Plain JavaScript, because the layer
 * worker (./layer-worker.mjs) runs it too and a worker thread cannot load TypeScript; types in ./zstd.d.mts.
 */
import * as zlib from "node:zlib";
import { Decompress } from "fzstd";

/**
 * Input is fed to fzstd in small slices because one push decompresses everything it can synchronously:
 * a crafted stream of RLE blocks turns 4 bytes into 128 KiB, so a 1 MiB chunk could expand to 32 GiB at
 * once. With 1 KiB slices one push yields at most ~32 MiB, and the generator lets backpressure and the
 * bomb guard downstream act between slices.
 */
const SLICE = 1024;

/** node:zlib's streaming zstd decoder, when this Node has one (looked up by name: Node 20's typings lack it). */
const nativeZstd = /** @type {((o?: object) => import("node:stream").Transform) | undefined} */ (
  /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (zlib)).createZstdDecompress
);

/** Which decoder a zstd layer gets here: "native" (node:zlib) or "fzstd". */
export const zstdDecoder = nativeZstd ? "native" : "fzstd";

/**
 * A pipeline stage that decompresses zstd: node:zlib's native stream where it exists (it inflates one
 * chunkSize at a time, honouring backpressure, so a bomb cannot expand at once), else fzstd.
 * @param {{ native?: boolean }} [options] native: false forces fzstd (tests compare the two)
 */
export function zstdStage(options = {}) {
  if (nativeZstd && options.native !== false) return nativeZstd({ chunkSize: 1 << 20 });
  return zstdDecompress;
}

/**
 * Decompress a zstd byte stream (one or more frames) with fzstd; throws on corrupt or truncated input.
 * @param {AsyncIterable<Buffer>} source
 * @returns {AsyncGenerator<Buffer>}
 */
export async function* zstdDecompress(source) {
  /** @type {Buffer[]} */
  let pending = [];
  // fzstd may hand out views of its window buffer, which it reuses: copy each block.
  const dec = new Decompress((data) => {
    if (data.length > 0) pending.push(Buffer.from(data));
  });
  const drain = () => {
    const out = pending;
    pending = [];
    return out;
  };
  for await (const chunk of source) {
    for (let i = 0; i < chunk.length; i += SLICE) {
      pushOrThrow(dec, chunk.subarray(i, i + SLICE), false);
      for (const b of drain()) yield b;
    }
  }
  pushOrThrow(dec, new Uint8Array(0), true);
  for (const b of drain()) yield b;
}

/**
 * @param {Decompress} dec
 * @param {Uint8Array} data
 * @param {boolean} final
 */
function pushOrThrow(dec, data, final) {
  try {
    dec.push(data, final);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(final ? `zstd stream is truncated or corrupt (${why})` : `zstd stream is corrupt (${why})`);
  }
}
