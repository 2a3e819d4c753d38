/** Streaming zstd decompression with fzstd (pure JS), shaped as an async-generator pipeline stage. */
import { Decompress } from "fzstd";

/**
 * Input is fed to fzstd in small slices because one push decompresses everything it can synchronously:
 * a crafted stream of RLE blocks turns 4 bytes into 128 KiB, so a 1 MiB chunk could expand to 32 GiB at
 * once. With 1 KiB slices one push yields at most ~32 MiB, and the generator lets backpressure and the
 * bomb guard downstream act between slices.
 */
const SLICE = 1024;

/** Decompress a zstd byte stream (one or more frames); throws on corrupt or truncated input. */
export async function* zstdDecompress(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  // fzstd may hand out views of its window buffer, which it reuses: copy each block.
  const dec = new Decompress((data) => {
    if (data.length > 0) pending.push(Buffer.from(data));
  });
  const drain = (): Buffer[] => {
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

function pushOrThrow(dec: Decompress, data: Uint8Array, final: boolean): void {
  try {
    dec.push(data, final);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(final ? `zstd stream is truncated or corrupt (${why})` : `zstd stream is corrupt (${why})`);
  }
}
