/**
 * The merged filesystem on the reader's compact tables against the straightforward tree merge it replaced
 * (kept here as the reference, verbatim): same final files (path, layer, entry) and the same shadowed files,
 * on the benchmark's synthetic image and on hand-built layers full of whiteouts, opaque directories and
 * files replacing directories (plain FileEntry arrays, the other source the merge takes).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { syntheticImage } from "../../bench/inputs/synthetic-image.js";
import { finalFiles, finalFilePaths, shadowedFiles, type FinalFile, type ShadowedFile } from "../../src/image/filesystem.js";
import { readImage } from "../../src/image/read.js";
import type { FileEntry, ImageIndex, LayerInfo } from "../../src/image/types.js";
import { Rng } from "../../bench/inputs/synthetic/random.js";

interface Node {
  file?: FinalFile;
  children: Map<string, Node>;
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

/** The reference views: the final map and the shadowed list of the tree merge. */
function reference(index: ImageIndex) {
  const shadowed: ShadowedFile[] = [];
  const root = merge(index, (s) => { shadowed.push(s); });
  const final = new Map<string, FinalFile>();
  walk(root, "", (path, n) => { if (n.file) final.set(path, n.file); });
  return { final, shadowed };
}

const finalRows = (m: ReadonlyMap<string, FinalFile>) => [...m].map(([p, f]) => [p, f.layer.index, f.entry] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1));
const shadowRows = (s: ShadowedFile[]) => s.map((x) => [x.path, x.layer.index, x.by.index, x.how, x.bytes].join(" ")).sort();

function expectSameViews(index: ImageIndex): void {
  const ref = reference(index);
  expect(finalRows(finalFiles(index))).toEqual(finalRows(ref.final));
  expect(finalFiles(index).size).toBe(ref.final.size);
  expect(shadowRows(shadowedFiles(index))).toEqual(shadowRows(ref.shadowed));
  expect(finalFilePaths(index).sort()).toEqual([...ref.final].filter(([, f]) => f.entry.type !== "dir").map(([p]) => p).sort());
}

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe("merged filesystem: compact against the reference tree merge", () => {
  it("agrees on the benchmark's synthetic image", async () => {
    const dir = await mkdtemp(joinPath(tmpdir(), "views-"));
    dirs.push(dir);
    const index = await readImage((await syntheticImage({ dir, uncompressedMiB: 8, seed: 5 })).path);
    expectSameViews(index);
    expect(shadowedFiles(index).length).toBeGreaterThan(0);
  }, 60_000);

  it.each(Array.from({ length: 40 }, (_, i) => i + 1))("agrees on hand-built layers with whiteouts, opaque dirs and replaced dirs (seed %i)", (seed) => {
    const r = new Rng(seed);
    const names = ["a", "b", "c", "d"];
    const path = () => Array.from({ length: r.range(1, 4) }, () => r.pick(names)).join("/");
    const layers: LayerInfo[] = Array.from({ length: 5 }, (_, index) => {
      const entries: FileEntry[] = Array.from({ length: r.range(3, 25) }, () => {
        const type = r.pick(["file", "file", "dir", "symlink"] as const);
        return { path: path(), type, size: type === "file" ? r.int(100) : 0, mode: 0o644, uid: 0, gid: 0 };
      });
      const whiteouts = index === 0 ? [] : Array.from({ length: r.range(0, 3) }, () => ({ path: path(), opaque: r.chance(0.4) }));
      return { index, digest: `sha256:${index}`, diffId: `sha256:${index}`, createdBy: "", size: 0, uncompressedSize: 0, compression: "none", entries, whiteouts };
    });
    const index = { layers } as unknown as ImageIndex;
    expectSameViews(index);
  });
});
