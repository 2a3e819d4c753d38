/**
 * Inflate (raw deflate or gzip) with fflate, guarded against bombs. fflate decodes synchronously, as the
 * scanner's sinks need, and a single push decodes all it can: input is fed in 16 KiB slices, so one push
 * yields at most ~16 MiB (deflate's ratio tops out near 1032:1) and the guards act between slices.
 */
import { Gunzip, Inflate } from "fflate";
import { ArchiveStop, RATIO_MIN_BYTES, asBuffer, type ImageBudget, type UnpackLimits } from "./context.js";

const SLICE = 16 * 1024;

/** Thrown when a member reached its byte budget: its decoding stops, the archive goes on. */
export class MemberFull extends Error {
  override name = "MemberFull";
}

export interface InflateGuards {
  limits: UnpackLimits;
  budget: ImageBudget;
  /** Output beyond this is not decoded: `MemberFull` is thrown once there is more (default: no cap). */
  maxOut?: number;
}

/** A streaming decoder: push() compressed chunks, decoded bytes go to `out`. */
export class GuardedInflate {
  private consumed = 0;
  private produced = 0;
  private readonly dec: Inflate | Gunzip;

  constructor(readonly kind: "gzip" | "deflate", private readonly guards: InflateGuards, out: (b: Buffer) => void) {
    const maxOut = guards.maxOut ?? Infinity;
    const ondata = (data: Uint8Array): void => {
      if (data.length === 0) return;
      const room = maxOut - this.produced;
      const part = data.length > room ? data.subarray(0, room) : data;
      this.produced += part.length;
      guards.budget.take(part.length);
      if (part.length > 0) out(asBuffer(part));
      // Only output beyond the cap stops it: a member of exactly maxOut bytes was read whole.
      if (data.length > room) throw new MemberFull(`over ${maxOut} bytes`);
    };
    this.dec = kind === "gzip" ? new Gunzip(ondata) : new Inflate(ondata);
  }

  /** Feeds compressed bytes; `final` on the last call (an empty chunk is fine). */
  push(chunk: Uint8Array, final: boolean): void {
    if (chunk.length === 0) return this.decode(chunk, final);
    for (let i = 0; i < chunk.length; i += SLICE) {
      // A copy: fflate keeps the unconsumed end of what it was pushed for the next push, and the caller's
      // chunk is only valid during this call (ContentSink).
      const slice = new Uint8Array(chunk.subarray(i, i + SLICE));
      this.consumed += slice.length;
      this.decode(slice, final && i + SLICE >= chunk.length);
      this.checkRatio();
    }
  }

  private decode(slice: Uint8Array, final: boolean): void {
    try {
      this.dec.push(slice, final);
    } catch (e) {
      if (e instanceof ArchiveStop || e instanceof MemberFull) throw e;
      const why = e instanceof Error ? e.message : String(e);
      throw new ArchiveStop(`${this.kind} data is corrupt or truncated (${why}); not fully unpacked`);
    }
  }

  private checkRatio(): void {
    const { maxRatio } = this.guards.limits;
    if (this.produced > RATIO_MIN_BYTES && this.produced / Math.max(this.consumed, 1) > maxRatio) {
      throw new ArchiveStop(`compression ratio over ${maxRatio}:1 after ${this.produced} bytes, a likely decompression bomb (maxRatio); not unpacked further`);
    }
  }
}
