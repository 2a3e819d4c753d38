/**
 * Views derived from an ImageIndex without re-reading anything: the merged final filesystem (whiteouts and
 * opaque directories applied in layer order) and the files a later layer overwrites or deletes. Built on
 * the reader's compact entry tables: a number per path, no object per file (500k files fit in 256 MiB).
 */
import type { FileEntry, ImageIndex, LayerInfo } from "./types.js";
import { entryTable } from "./entries.js";
export { matchGlob } from "./glob.js";

/** A path in the merged filesystem and the layer that last wrote it. */
export interface FinalFile {
  entry: FileEntry;
  layer: LayerInfo;
}

/** A file some layer shipped that a later layer hid: its bytes still ship in the image. */
export interface ShadowedFile {
  path: string;
  layer: LayerInfo;
  by: LayerInfo;
  how: "overwritten" | "deleted";
  bytes: number;
}

/** Row access to a layer's entries: the reader's compact table, or a hand-built layer's array. */
interface EntrySource {
  readonly length: number;
  path(i: number): string;
  type(i: number): FileEntry["type"];
  size(i: number): number;
  get(i: number): FileEntry;
}

function sourceOf(layer: LayerInfo): EntrySource {
  const table = entryTable(layer);
  if (table) return table;
  const list = layer.entries;
  return { length: list.length, path: (i) => list[i]!.path, type: (i) => list[i]!.type, size: (i) => list[i]!.size, get: (i) => list[i]! };
}

/**
 * The merged filesystem as it is built: each path (the reader's own string) to the layer and row that last
 * wrote it, packed in one number (a small integer for any real image: no object per file), plus every
 * directory some path lies under, so that a file replacing a directory finds what it hides.
 */
class Merge {
  readonly refs = new Map<string, number>();
  private readonly dirs = new Set<string>();
  private readonly sources: EntrySource[];
  private readonly width: number;

  constructor(private readonly layers: LayerInfo[], private readonly onShadow: (s: ShadowedFile) => void) {
    this.sources = layers.map(sourceOf);
    this.width = Math.max(128, layers.length);
  }

  /** Apply one layer: its whiteouts first, then its entries in archive order. */
  apply(li: number): void {
    const layer = this.layers[li]!;
    this.whiteouts(layer);
    const src = this.sources[li]!;
    for (let i = 0; i < src.length; i++) {
      const path = src.path(i);
      const prev = this.refs.get(path);
      if (prev !== undefined && this.type(prev) !== "dir") this.shadow(path, prev, layer, "overwritten");
      // A non-directory replacing a directory hides everything below it.
      if (src.type(i) !== "dir" && this.dirs.has(path)) this.removeWhere((k) => k.startsWith(`${path}/`), layer);
      this.refs.set(path, i * this.width + li);
      this.addParents(path);
    }
  }

  /** The FinalFile of a packed ref (its FileEntry made when asked for). */
  placed(ref: number): FinalFile {
    const { src, row, layer } = this.unpack(ref);
    return { layer, get entry() { return src.get(row); } };
  }

  /** `.wh.<name>` deletes a path and all below it; `.wh..wh..opq` empties a directory (the root's is ignored, as before). */
  private whiteouts(layer: LayerInfo): void {
    if (layer.whiteouts.length === 0) return;
    const gone = new Set(layer.whiteouts.filter((w) => !w.opaque).map((w) => w.path));
    const emptied = new Set(layer.whiteouts.filter((w) => w.opaque && w.path !== "").map((w) => w.path));
    this.removeWhere((k) => gone.has(k) || ancestors(k).some((a) => gone.has(a) || emptied.has(a)), layer);
  }

  /** Delete every path that `hit` takes, reporting the non-directories as deleted by `by`. */
  private removeWhere(hit: (path: string) => boolean, by: LayerInfo): void {
    for (const [path, ref] of this.refs) {
      if (!hit(path)) continue;
      if (this.type(ref) !== "dir") this.shadow(path, ref, by, "deleted");
      this.refs.delete(path);
    }
  }

  private addParents(path: string): void {
    for (let j = path.lastIndexOf("/"); j > 0; j = path.lastIndexOf("/", j - 1)) {
      const dir = path.slice(0, j);
      if (this.dirs.has(dir)) return;
      this.dirs.add(dir);
    }
  }

  private shadow(path: string, ref: number, by: LayerInfo, how: ShadowedFile["how"]): void {
    const { src, row, layer } = this.unpack(ref);
    this.onShadow({ path, layer, by, how, bytes: src.size(row) });
  }

  type(ref: number): FileEntry["type"] {
    const { src, row } = this.unpack(ref);
    return src.type(row);
  }

  private unpack(ref: number): { src: EntrySource; row: number; layer: LayerInfo } {
    const li = ref % this.width;
    return { src: this.sources[li]!, row: Math.floor(ref / this.width), layer: this.layers[li]! };
  }
}

/** The directories above a path, nearest last ("a/b/c" → "a", "a/b"). */
function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let j = path.indexOf("/"); j > 0; j = path.indexOf("/", j + 1)) out.push(path.slice(0, j));
  return out;
}

/** The final filesystem as a read-only map whose FinalFiles are made as they are read, not kept. */
class FinalView implements ReadonlyMap<string, FinalFile> {
  constructor(private readonly merge: Merge) {}

  get size(): number {
    return this.merge.refs.size;
  }

  get(path: string): FinalFile | undefined {
    const ref = this.merge.refs.get(path);
    return ref === undefined ? undefined : this.merge.placed(ref);
  }

  has(path: string): boolean {
    return this.merge.refs.has(path);
  }

  /** The paths whose entry type `keep` takes. */
  paths(keep: (type: FileEntry["type"]) => boolean): string[] {
    const out: string[] = [];
    for (const [path, ref] of this.merge.refs) if (keep(this.merge.type(ref))) out.push(path);
    return out;
  }

  *entries(): MapIterator<[string, FinalFile]> {
    for (const [path, ref] of this.merge.refs) yield [path, this.merge.placed(ref)];
  }

  keys(): MapIterator<string> {
    return this.merge.refs.keys();
  }

  *values(): MapIterator<FinalFile> {
    for (const ref of this.merge.refs.values()) yield this.merge.placed(ref);
  }

  forEach(fn: (value: FinalFile, key: string, map: ReadonlyMap<string, FinalFile>) => void): void {
    for (const [path, placed] of this.entries()) fn(placed, path, this);
  }

  [Symbol.iterator](): MapIterator<[string, FinalFile]> {
    return this.entries();
  }
}

interface Views {
  /** Which state of the index the views were made from: its layer, entry and whiteout counts. */
  shape: string;
  final: FinalView;
  shadowed: ShadowedFile[];
}

/** Several checks and the scan ask for the same views: the merge runs once per index (and again if it changes). */
const cache = new WeakMap<ImageIndex, Views>();

function viewsOf(index: ImageIndex): Views {
  const shape = index.layers.map((l) => `${sourceOf(l).length}/${l.whiteouts.length}`).join(",");
  const cached = cache.get(index);
  if (cached?.shape === shape) return cached;
  const shadowed: ShadowedFile[] = [];
  const merge = new Merge(index.layers, (s) => { shadowed.push(s); });
  for (let li = 0; li < index.layers.length; li++) merge.apply(li);
  const views = { shape, final: new FinalView(merge), shadowed };
  cache.set(index, views);
  return views;
}

/** The merged final filesystem, keyed by normalised path; directories included (implicit parents are not). */
export function finalFiles(index: ImageIndex): ReadonlyMap<string, FinalFile> {
  return viewsOf(index).final;
}

/** Paths of the merged filesystem's non-directories, made without a FinalFile each (500k files: no 500k objects). */
export function finalFilePaths(index: ImageIndex): string[] {
  return viewsOf(index).final.paths((type) => type !== "dir");
}

/** Files (non-directories) that a later layer overwrites or deletes, in the order that happens (a copy). */
export function shadowedFiles(index: ImageIndex): ShadowedFile[] {
  return [...viewsOf(index).shadowed];
}
