/**
 * A layer's file index, compact: one path string per entry (interned by the reader: the same string
 * serves as the key of the merged filesystem's map) and every other field in typed arrays, instead of a
 * FileEntry object per file. A FileEntry is made only when asked for, and not kept.
 *
 * LayerInfo.entries stays a plain FileEntry[] to its readers (a getter builds it on demand): checks and
 * tests that want every entry of a layer at once still get one; the reader and the filesystem views use
 * the table (entryTable(), layerEntries()) and never build it.
 */
import type { FileEntry, LayerInfo } from "./types.js";

const TYPES: ReadonlyArray<FileEntry["type"]> = ["file", "dir", "symlink", "hardlink", "other"];
const TYPE_CODE = new Map(TYPES.map((t, i) => [t, i]));

/** The entries of one layer, in archive order. */
export class EntryTable {
  private paths: string[] = [];
  private types = new Uint8Array(256);
  private sizes = new Float64Array(256);
  private modes = new Uint32Array(256);
  private uids = new Uint32Array(256);
  private gids = new Uint32Array(256);
  /** Link targets, by row: few entries have one. */
  private readonly links = new Map<number, string>();

  get length(): number {
    return this.paths.length;
  }

  push(e: FileEntry): void {
    const i = this.paths.length;
    if (i === this.types.length) this.grow();
    this.paths.push(e.path);
    this.types[i] = TYPE_CODE.get(e.type) ?? 4;
    this.sizes[i] = e.size;
    this.modes[i] = e.mode;
    this.uids[i] = e.uid;
    this.gids[i] = e.gid;
    if (e.linkname !== undefined) this.links.set(i, e.linkname);
  }

  path(i: number): string {
    return this.paths[i]!;
  }

  type(i: number): FileEntry["type"] {
    return TYPES[this.types[i]!]!;
  }

  size(i: number): number {
    return this.sizes[i]!;
  }

  /** Entry `i` as a FileEntry (a new object each time). */
  get(i: number): FileEntry {
    const e: FileEntry = { path: this.paths[i]!, type: this.type(i), size: this.sizes[i]!, mode: this.modes[i]!, uid: this.uids[i]!, gid: this.gids[i]! };
    const link = this.links.get(i);
    if (link !== undefined) e.linkname = link;
    return e;
  }

  *[Symbol.iterator](): IterableIterator<FileEntry> {
    for (let i = 0; i < this.paths.length; i++) yield this.get(i);
  }

  /** Doubling keeps appends amortised O(1); typed arrays cannot grow in place. */
  private grow(): void {
    const n = this.types.length * 2;
    const more = <T extends Uint8Array | Uint32Array | Float64Array>(a: T, make: new (n: number) => T): T => {
      const b = new make(n);
      b.set(a);
      return b;
    };
    this.types = more(this.types, Uint8Array);
    this.sizes = more(this.sizes, Float64Array);
    this.modes = more(this.modes, Uint32Array);
    this.uids = more(this.uids, Uint32Array);
    this.gids = more(this.gids, Uint32Array);
  }
}

const tables = new WeakMap<LayerInfo, EntryTable>();

/**
 * Make `info.entries` a view of `table`: an enumerable getter that builds the FileEntry[] when read (so
 * equality checks and JSON see the entries), while the table is what the layer keeps.
 */
export function attachEntries(info: LayerInfo, table: EntryTable): LayerInfo {
  tables.set(info, table);
  Object.defineProperty(info, "entries", { get: () => [...table], enumerable: true, configurable: true });
  return info;
}

/** The compact table behind a layer the reader made, or undefined for a LayerInfo built by hand. */
export function entryTable(layer: LayerInfo): EntryTable | undefined {
  return tables.get(layer);
}

/** A layer's entries one at a time, without building the whole array. */
export function layerEntries(layer: LayerInfo): Iterable<FileEntry> {
  return entryTable(layer) ?? layer.entries;
}
