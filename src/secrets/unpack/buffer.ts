/**
 * Small byte plumbing for unpackers: a capped buffer for formats that need the whole file (zip's central
 * directory is at its end, marshal is read by offset), and a router that waits for a file's first bytes
 * to choose where the rest goes.
 */
import type { ContentSink } from "../../image/types.js";

/** Gathers bytes up to `cap`; `full` says some were dropped. Allocates once when the size is known. */
export class CappedBuffer {
  private buf: Buffer;
  private length = 0;
  full = false;

  constructor(private readonly cap: number, expected?: number) {
    this.buf = Buffer.allocUnsafe(Math.min(cap, expected ?? 64 * 1024));
  }

  push(chunk: Buffer): void {
    const room = this.cap - this.length;
    if (chunk.length > room) this.full = true;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (this.length + part.length > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.cap, Math.max(this.buf.length * 2, this.length + part.length)));
      this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
    }
    part.copy(this.buf, this.length);
    this.length += part.length;
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

/**
 * A sink that keeps the first `headBytes` (or all, if the file is shorter), asks `choose` where the file
 * goes, then hands that sink the head and every later chunk.
 */
export function routeByHead(headBytes: number, choose: (head: Buffer) => ContentSink): ContentSink {
  let head: Buffer[] | undefined = [];
  let headLen = 0;
  let target: ContentSink | undefined;
  const decide = (): void => {
    const buf = head!.length === 1 ? head![0]! : Buffer.concat(head!, headLen);
    head = undefined;
    target = choose(buf);
    if (buf.length > 0) target.write(buf);
  };
  return {
    write(chunk) {
      if (target) return target.write(chunk);
      headLen += chunk.length;
      // A chunk's memory is the reader's once write() returns (ContentSink): one that completes the head
      // is routed within this call, uncopied; a shorter one waits for more, so it is copied (< headBytes).
      if (headLen >= headBytes) {
        head!.push(chunk);
        decide();
      } else head!.push(Buffer.from(chunk));
    },
    end() {
      if (!target) decide();
      target!.end();
    },
  };
}
