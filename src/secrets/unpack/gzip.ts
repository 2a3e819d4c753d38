/**
 * .gz, .tgz, .tar.gz: the stream is inflated as it arrives (fflate's Gunzip, guarded), and what comes out is
 * either a tar, whose members are this archive's members (a .tar.gz is one level of nesting, not two), or a
 * single file, named after the .gz without its suffix.
 */
import type { ContentSink } from "../../image/types.js";
import { routeByHead } from "./buffer.js";
import { memberCut, type ArchiveContext } from "./context.js";
import { GuardedInflate, MemberFull } from "./inflate.js";
import { TarSink, looksLikeTar } from "./tar.js";

/** Enough of the decompressed stream to see a tar header's ustar magic. */
const TAR_HEAD = 512;

export function looksLikeGzip(head: Buffer): boolean {
  return head.length >= 3 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 8;
}

/** The name of the one file a .gz holds: `x.json.gz` holds `x.json`, `x.tgz` holds `x.tar`. */
export function gunzippedName(path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1).slice(path.lastIndexOf("!") + 1);
  if (/\.tgz$/i.test(base)) return `${base.slice(0, -4)}.tar`;
  return /\.gz$/i.test(base) && base.length > 3 ? base.slice(0, -3) : base;
}

export function gzipSink(ctx: ArchiveContext): ContentSink {
  let single = false;
  const inner = routeByHead(TAR_HEAD, (head) => {
    if (looksLikeTar(head, gunzippedName(ctx.path))) return new TarSink(ctx);
    single = true;
    return ctx.openMember(gunzippedName(ctx.path));
  });
  // A single file is one member: its budget caps the inflating too. A tar's members are capped one by
  // one downstream, while the image budget and the ratio guard bound the stream.
  let produced = 0;
  const inflate = new GuardedInflate("gzip", { limits: ctx.limits, budget: ctx.budget }, (b) => {
    const room = ctx.limits.maxMemberBytes - produced;
    produced += b.length;
    if (!single || b.length <= room) return inner.write(b);
    if (room > 0) inner.write(b.subarray(0, room));
    throw new MemberFull(`over ${ctx.limits.maxMemberBytes} bytes`);
  });
  let full = false;
  const push = (chunk: Uint8Array, final: boolean): void => {
    if (full) return;
    try {
      inflate.push(chunk, final);
    } catch (e) {
      if (!(e instanceof MemberFull)) throw e;
      full = true;
      memberCut(ctx, gunzippedName(ctx.path));
    }
  };
  return {
    write: (chunk) => push(chunk, false),
    end() {
      push(new Uint8Array(0), true);
      inner.end();
    },
  };
}
