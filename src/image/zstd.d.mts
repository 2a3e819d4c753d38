/** Types of ./zstd.mjs (plain JavaScript so that the layer worker can run it). */
import type { Transform } from "node:stream";

/** Which decoder a zstd layer gets here: "native" (node:zlib, Node >= 22.15) or "fzstd" (pure JS). */
export declare const zstdDecoder: "native" | "fzstd";
/** A pipeline stage that decompresses zstd: node:zlib's native stream where it exists, else fzstd. */
export declare function zstdStage(options?: { native?: boolean }): Transform | ((source: AsyncIterable<Buffer>) => AsyncGenerator<Buffer>);
/** Decompress a zstd byte stream (one or more frames) with fzstd; throws on corrupt or truncated input. */
export declare function zstdDecompress(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer>;
