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

/** The merged final filesystem, keyed by normalised path; directories included (implicit parents are not). */
export function finalFiles(index: ImageIndex): Map<string, FinalFile> {
  const root = merge(index, () => undefined);
  const out = new Map<string, FinalFile>();
  walk(root, "", (path, n) => { if (n.file) out.set(path, n.file); });
  return out;
}

/** Files (non-directories) that a later layer overwrites or deletes, in the order that happens. */
export function shadowedFiles(index: ImageIndex): ShadowedFile[] {
  const out: ShadowedFile[] = [];
  merge(index, (s) => { out.push(s); });
  return out;
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
