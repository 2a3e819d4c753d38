/** Types of ./layer-bytes.mjs (plain JavaScript so that the layer worker can run it). */

/** A bomb guard's verdict: its message is the final one-line ImageReadError text. */
export declare class BombError extends Error {}
/** An exception of the sink (a visitor's bug): it wins over any error it caused. */
export declare class SinkFailure extends Error {
  readonly inner: unknown;
  constructor(inner: unknown);
}

export interface LayerBytesJob {
  path: string;
  offset: number;
  size: number;
  compression: "gzip" | "zstd" | "none";
  /** "layer <n> (<blob>) of <tarball>": how errors name the layer. */
  where: string;
  maxLayerBytes: number;
  maxCompressionRatio: number;
  /** Bytes per file read and per gunzip output piece. */
  piece: number;
  /** zstd through node:zlib (when this Node has it) rather than fzstd. */
  nativeZstd: boolean;
  /** Read the file with blocking calls (a worker thread only). */
  syncRead?: boolean;
}

/** The fields of a tar header the index needs (tar-stream's Headers, nulls as "" and 0). */
export interface TarHeader {
  name: string;
  type: string;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  linkname: string;
}

/** Receives a layer's entries in archive order: a header, then (regular files) its bytes and its end. */
export interface LayerBytesSink {
  header(h: TarHeader): void | Promise<void>;
  data(chunk: Buffer): void | Promise<void>;
  end(): void | Promise<void>;
  /** Stored bytes read so far. */
  stored?(bytes: number): void;
}

/** Read one layer's bytes into `sink`; rejects with the root cause (a SinkFailure first). */
export declare function readLayerBytes(job: LayerBytesJob, sink: LayerBytesSink): Promise<{ digest: string; diffId: string; uncompressedSize: number }>;
