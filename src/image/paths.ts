/**
 * Path normalisation for archive entry names. Archive names are untrusted: they may be absolute, contain
 * "." and ".." segments, or try to escape the root. Nothing here touches the disk.
 */
import { posix } from "node:path";

/** Result of normalising an archive path: the clean relative path, or `escapes` when ".." leaves the root. */
export type NormalisedPath = { ok: true; path: string } | { ok: false; escapes: true };

/**
 * Normalise an archive entry name: strip leading "/" and "./", resolve "." and ".." segments, drop a
 * trailing "/". The root itself normalises to "". A ".." that climbs above the root is reported, not clamped,
 * because such a name is hostile and must be flagged.
 */
export function normalisePath(raw: string): NormalisedPath {
  const out: string[] = [];
  for (const seg of raw.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (out.length === 0) return { ok: false, escapes: true };
      out.pop();
      continue;
    }
    out.push(seg);
  }
  return { ok: true, path: out.join("/") };
}

/**
 * Where a link target points, as a normalised path, or undefined when it escapes the root.
 * Symlink targets are relative to the link's directory unless absolute (absolute targets are resolved
 * against the image root, as the container sees them). Hard link targets are archive paths (root-relative).
 */
export function resolveLinkTarget(linkPath: string, linkname: string, kind: "symlink" | "hardlink"): string | undefined {
  const base = kind === "hardlink" || linkname.startsWith("/") ? "" : posix.dirname(linkPath);
  const joined = base === "." || base === "" ? linkname : `${base}/${linkname}`;
  const n = normalisePath(joined);
  return n.ok ? n.path : undefined;
}

/** Parent directory of a normalised path ("" for top-level entries). */
export function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i);
}

/** Last segment of a normalised path. */
export function baseOf(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
