/**
 * Views derived from an ImageIndex without re-reading anything: the merged final filesystem (whiteouts and
 * opaque directories applied in layer order) and the files a later layer overwrites or deletes.
 */
import type { FileEntry, ImageIndex, LayerInfo } from "./types.js";
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

interface Node {
  file?: FinalFile;
  children: Map<string, Node>;
}

interface Views {
  /** Which state of the index the views were made from: its layer, entry and whiteout counts. */
  shape: string;
  final: Map<string, FinalFile>;
  shadowed: ShadowedFile[];
}

/** Several checks and the scan ask for the same views: the merge runs once per index (and again if it changes). */
const cache = new WeakMap<ImageIndex, Views>();

function viewsOf(index: ImageIndex): Views {
  const shape = index.layers.map((l) => `${l.entries.length}/${l.whiteouts.length}`).join(",");
  const cached = cache.get(index);
  if (cached?.shape === shape) return cached;
  const shadowed: ShadowedFile[] = [];
  const root = merge(index, (s) => { shadowed.push(s); });
  const final = new Map<string, FinalFile>();
  walk(root, "", (path, n) => { if (n.file) final.set(path, n.file); });
  const views = { shape, final, shadowed };
  cache.set(index, views);
  return views;
}

/** The merged final filesystem, keyed by normalised path; directories included (implicit parents are not). */
export function finalFiles(index: ImageIndex): ReadonlyMap<string, FinalFile> {
  return viewsOf(index).final;
}

/** Files (non-directories) that a later layer overwrites or deletes, in the order that happens (a copy). */
export function shadowedFiles(index: ImageIndex): ShadowedFile[] {
  return [...viewsOf(index).shadowed];
}

/** Apply every layer to a tree; report each hidden non-directory file through `onShadow`. */
function merge(index: ImageIndex, onShadow: (s: ShadowedFile) => void): Node {
  const root: Node = { children: new Map() };
  const hide = (n: Node, path: string, by: LayerInfo, how: ShadowedFile["how"]) =>
    walk(n, path, (p, x) => {
      if (x.file && x.file.entry.type !== "dir") onShadow({ path: p, layer: x.file.layer, by, how, bytes: x.file.entry.size });
    });
  for (const layer of index.layers) {
    for (const w of layer.whiteouts) {
      const n = lookup(root, w.path);
      if (!n) continue;
      if (w.opaque) {
        for (const [name, child] of n.children) hide(child, join(w.path, name), layer, "deleted");
        n.children.clear();
      } else {
        hide(n, w.path, layer, "deleted");
        detach(root, w.path);
      }
    }
    for (const entry of layer.entries) {
      const n = ensure(root, entry.path);
      if (n.file && n.file.entry.type !== "dir") onShadow({ path: entry.path, layer: n.file.layer, by: layer, how: "overwritten", bytes: n.file.entry.size });
      // A non-directory replacing a directory hides everything below it.
      if (entry.type !== "dir") {
        for (const [name, child] of n.children) hide(child, join(entry.path, name), layer, "deleted");
        n.children.clear();
      }
      n.file = { entry, layer };
    }
  }
  return root;
}

const join = (dir: string, name: string) => (dir === "" ? name : `${dir}/${name}`);

function lookup(root: Node, path: string): Node | undefined {
  let n: Node | undefined = root;
  for (const seg of path.split("/")) n = n?.children.get(seg);
  return n;
}

function ensure(root: Node, path: string): Node {
  let n = root;
  for (const seg of path.split("/")) {
    let c = n.children.get(seg);
    if (!c) n.children.set(seg, (c = { children: new Map() }));
    n = c;
  }
  return n;
}

function detach(root: Node, path: string): void {
  const i = path.lastIndexOf("/");
  const parent = i < 0 ? root : lookup(root, path.slice(0, i));
  parent?.children.delete(path.slice(i + 1));
}

/** Depth-first visit of a subtree; iterative so deep trees cannot overflow the stack. */
function walk(start: Node, startPath: string, visit: (path: string, n: Node) => void): void {
  const stack: Array<[string, Node]> = [[startPath, start]];
  while (stack.length > 0) {
    const [p, n] = stack.pop()!;
    if (p !== "") visit(p, n);
    for (const [name, c] of n.children) stack.push([join(p, name), c]);
  }
}
