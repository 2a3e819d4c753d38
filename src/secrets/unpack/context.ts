/**
 * What every unpacker shares: the limits, the per-image budget, the archive it is working on (where it is,
 * how deep, how to open a member) and the one note an archive may leave. Unpackers are synchronous (a
 * ContentSink's write/end return nothing to await), so a hostile archive is stopped by throwing
 * `ArchiveStop`, which `guarded` turns into that archive's note.
 */
import type { ContentSink, LayerRef } from "../../image/types.js";
import type { ScanNote } from "../types.js";

export interface UnpackOptions {
  /** Deepest archive unpacked: a file of the image is depth 0, a member of it depth 1 (default 3). */
  maxDepth?: number;
  /** Bytes of one member passed on to be scanned; the rest of it is not decompressed (default 64 MiB). */
  maxMemberBytes?: number;
  /** Bytes unpacked over the whole image, at every depth; once spent, no more archives are unpacked (default 1 GiB). */
  maxImageBytes?: number;
  /** Largest zip buffered to read its central directory (default 32 MiB). */
  maxZipBytes?: number;
  /** Decompressed/compressed ratio above which a stream is a bomb, once it has produced 1 MiB (default 200). */
  maxRatio?: number;
}

export type UnpackLimits = Required<UnpackOptions>;

const MiB = 1024 * 1024;

export const UNPACK_DEFAULTS: UnpackLimits = {
  maxDepth: 3,
  maxMemberBytes: 64 * MiB,
  maxImageBytes: 1024 * MiB,
  maxZipBytes: 32 * MiB,
  // Text deflates 3 to 20:1 and deflate cannot pass ~1032:1; a member far above text's ratio is mostly
  // one repeated byte, which holds nothing worth the time it takes to inflate.
  maxRatio: 200,
};

/** The ratio guard waits for this much output, so a small, very compressible member never trips it. */
export const RATIO_MIN_BYTES = 1 * MiB;

/** Stops the archive being unpacked; its message becomes the archive's note. */
export class ArchiveStop extends Error {
  override name = "ArchiveStop";
}

/** Unpacked bytes left for the whole image (shared by every archive of one scan). */
export class ImageBudget {
  private spent = 0;
  constructor(readonly limit: number) {}

  get exhausted(): boolean {
    return this.spent >= this.limit;
  }

  /** Counts `n` unpacked bytes; throws ArchiveStop once the image's budget is spent. */
  take(n: number): void {
    this.spent += n;
    if (this.spent > this.limit) {
      throw new ArchiveStop(`the image's unpack budget (maxImageBytes, ${this.limit} bytes) is spent: this archive and later ones are not fully unpacked`);
    }
  }
}

/** One archive being unpacked: where it is, how deep, and how its members reach the scanner. */
export interface ArchiveContext {
  layer: LayerRef;
  /** Path of the archive itself, with the `!` chain of the archives it sits in. */
  path: string;
  /** Depth of the archive: 0 for a file of the image. */
  depth: number;
  limits: UnpackLimits;
  budget: ImageBudget;
  /**
   * A sink for member `name` (its path inside this archive): it is scanned as a file at
   * `<archive path>!<name>`, one level deeper. `size` is what the archive says, when it says.
   */
  openMember(name: string, size?: number): ContentSink;
  /** Records a problem: the first becomes the archive's one note, later ones are counted in it. */
  problem(message: string): void;
}

/** A problem recorder that leaves at most one note for the archive at `path`. */
export function noteOnce(notes: ScanNote[], layer: LayerRef, path: string): (message: string) => void {
  let note: ScanNote | undefined;
  let more = 0;
  let first = "";
  return (message) => {
    if (!note) {
      first = message;
      notes.push((note = { layer, path, message }));
      return;
    }
    more++;
    note.message = `${first} (and ${more} more problem${more > 1 ? "s" : ""} in this archive)`;
  };
}

/**
 * `inner` with every error turned into the archive's note: after the first one the archive is dropped
 * (further writes ignored), so a hostile archive ends in one note and the scan of the image goes on.
 */
export function guarded(ctx: Pick<ArchiveContext, "problem">, inner: ContentSink): ContentSink {
  let dead = false;
  const run = (fn: () => void): void => {
    if (dead) return;
    try {
      fn();
    } catch (e) {
      dead = true;
      ctx.problem(e instanceof ArchiveStop ? e.message : `not unpacked, unreadable: ${oneLine(e)}`);
    }
  };
  return { write: (chunk) => run(() => inner.write(chunk)), end: () => run(() => inner.end()) };
}

function oneLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.replace(/\s+/g, " ").trim().slice(0, 200);
}

/** The note for a member cut at maxMemberBytes (the archive goes on with its next member). */
export function memberCut(ctx: Pick<ArchiveContext, "problem" | "limits">, name: string): void {
  ctx.problem(`member ${name.slice(0, 200)} is larger than maxMemberBytes (${ctx.limits.maxMemberBytes}); only its first bytes were scanned`);
}

/** A sink that drops everything (a member nobody wants to read). */
export const NULL_SINK: ContentSink = { write: () => undefined, end: () => undefined };

/** A Buffer view of an fflate output array, without copying. */
export function asBuffer(u8: Uint8Array): Buffer {
  return Buffer.from(u8.buffer, u8.byteOffset, u8.length);
}
