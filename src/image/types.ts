/**
 * What an image tarball says, read once in a single streaming pass (see ./read.ts).
 * Nothing here knows how the tarball was produced (docker save, skopeo, Dagger's asTarball).
 */

export type ArchiveFormat = "oci" | "docker-archive";
export type Compression = "gzip" | "zstd" | "none";

/** One tar entry of a layer, its path normalised: relative, no leading "/" or "./", no "..". */
export interface FileEntry {
  path: string;
  type: "file" | "dir" | "symlink" | "hardlink" | "other";
  size: number;
  mode: number;
  uid: number;
  gid: number;
  /** Target of a symlink or hard link, as written in the archive. */
  linkname?: string;
}

/** A deletion recorded by a layer: `.wh.<name>` deletes `path`; `.wh..wh..opq` empties directory `path`. */
export interface Whiteout {
  path: string;
  opaque: boolean;
}

/** Identity of a layer, enough to attribute a finding to it. */
export interface LayerRef {
  /** Position in the image, 0 = base. */
  index: number;
  /** Digest of the blob as stored (compressed), "sha256:...". */
  digest: string;
  /**
   * Digest of the uncompressed tar, as the config's rootfs.diff_ids lists it: the same whatever
   * compression an exporter chose, so it identifies a layer across `docker save` and Dagger exports.
   */
  diffId?: string;
  /** The Dockerfile instruction (history `created_by`) that made this layer, "" when unknown. */
  createdBy: string;
}

export interface LayerInfo extends LayerRef {
  /** Digest of the uncompressed tar, computed while streaming; equals the config's rootfs.diff_ids entry. */
  diffId: string;
  /** Size of the blob as stored, in bytes. */
  size: number;
  /** Bytes of the uncompressed tar stream. */
  uncompressedSize: number;
  compression: Compression;
  /** Files, directories and links this layer adds or changes, in archive order. */
  entries: FileEntry[];
  whiteouts: Whiteout[];
}

export interface Healthcheck {
  /** Docker form: ["CMD", ...argv] (exec form), ["CMD-SHELL", "cmd"] (shell form) or ["NONE"]. */
  test: string[];
  intervalNs?: number;
  timeoutNs?: number;
  startPeriodNs?: number;
  retries?: number;
}

/** The runtime part of the image config (OCI `config` / Docker `Config`). */
export interface ImageConfig {
  user: string;
  entrypoint: string[];
  cmd: string[];
  env: string[];
  workingDir: string;
  labels: Record<string, string>;
  exposedPorts: string[];
  healthcheck?: Healthcheck;
  stopSignal?: string;
}

export interface HistoryEntry {
  createdBy: string;
  emptyLayer: boolean;
  created?: string;
  comment?: string;
  /** Index of the layer this entry made; undefined for empty_layer entries. */
  layerIndex?: number;
}

/** Something odd or hostile in the archive that did not stop the read (path traversal, bad link, ...). */
export interface ReadProblem {
  code: string;
  message: string;
  layerIndex?: number;
  path?: string;
}

/** A small file whose bytes the reader kept because it was asked to (e.g. etc/passwd). */
export interface CapturedFile {
  path: string;
  layerIndex: number;
  content: Buffer;
}

export interface ImageIndex {
  source: { path: string; format: ArchiveFormat; platform: string; manifestDigest?: string };
  config: ImageConfig;
  /** Config digest, "sha256:..." (the image ID). */
  configDigest: string;
  history: HistoryEntry[];
  layers: LayerInfo[];
  problems: ReadProblem[];
  /** Captured files, keyed by normalised path; the last layer that wrote a path wins. */
  captured: Map<string, CapturedFile>;
}

/**
 * A consumer of file contents during the single streaming pass (the secret scanner is one).
 * `open` is called for each regular file; return a sink to receive its bytes, or undefined to skip it.
 * Sinks receive chunks in order and must not keep them beyond their own bounded state.
 */
export interface ContentVisitor {
  open(file: { layer: LayerRef; entry: FileEntry }): ContentSink | undefined;
  /** Called once with the image config after the manifest and config are read, before any layer. */
  config?(config: ImageConfig, history: HistoryEntry[]): void;
}

/**
 * A chunk's memory is the reader's, valid only during the write() call: the reader's batch buffers
 * circulate between its threads and are reused once a batch is walked. A sink that keeps bytes past the
 * call (a partial line, a file's head, a buffered archive) copies them.
 */
export interface ContentSink {
  write(chunk: Buffer): void;
  end(): void;
}

export interface ReadOptions {
  /** "os/arch[/variant]" to pick from a multi-platform index; default linux/amd64. */
  platform?: string;
  /** Paths (normalised) whose content to keep in `captured`, each up to `maxCaptureBytes`. */
  capture?: string[];
  maxCaptureBytes?: number;
  visitors?: ContentVisitor[];
  /** Stop a layer whose uncompressed stream exceeds this many bytes (decompression bomb guard). */
  maxLayerBytes?: number;
  /**
   * Stop a compressed layer whose uncompressed/stored ratio exceeds this once it has produced 64 MiB
   * (decompression bomb guard; gzip cannot exceed ~1032, so the default 2000 only stops crafted zstd).
   */
  maxCompressionRatio?: number;
  /**
   * Where layer bytes are read, decompressed, hashed and parsed: "worker" threads (two, layers in turn,
   * the next one read ahead), this "main" thread, or "auto" (default): a worker where it measured faster
   * (uncompressed layers, zstd decoded by fzstd), the main thread for gzip, which inflates on zlib's thread
   * pool anyway. Same index, same visitor calls, same errors. Where a worker cannot start (worker threads
   * refused, as under Node's permission model; its module missing), its layers are read on this thread.
   */
  layerThreads?: "auto" | "worker" | "main";
  /** The layer worker's module (default: layer-worker.mjs next to the reader); for bundlers that move it. */
  layerWorkerUrl?: URL;
  /** Called now and then with progress, for a progress line on stderr. */
  onProgress?: (p: { layerIndex: number; layerCount: number; bytesRead: number }) => void;
}

/** A clear, one-line error for input the reader cannot read at all (not a tar, no manifest, ...). */
export class ImageReadError extends Error {
  override name = "ImageReadError";
}
