/**
 * Python trees, shared by the runtime, dependency and app layers: where Python lives in the image, pyTree
 * (modules, `__init__`s and `__pycache__` .pycs until a budget) and dist-info RECORD lines.
 */
import { createHash } from "node:crypto";
import { pyc } from "../binary.js";
import type { LayerWriter } from "../layer-writer.js";
import { pyModule } from "../text-code.js";

export const SP = "app/.venv/lib/python3.12/site-packages";
export const STDLIB = "usr/local/lib/python3.12";
export const SO_SUFFIX = ".cpython-312-x86_64-linux-gnu.so";

/**
 * `.py` modules (with `__pycache__/*.pyc` when `pycRatio` > 0) under `root`, spread over `dirs`, until
 * `budget` bytes of source; every directory gets an `__init__.py`. RECORD lines go to `record` when given.
 */
export async function pyTree(
  w: LayerWriter, root: string, pkg: string, budget: number, pycRatio: number,
  opts: { median: number; max: number; names?: string[]; dirs?: string[]; record?: string[] },
): Promise<void> {
  const { r, v, p } = w;
  const names = [...(opts.names ?? [])];
  const dirs = opts.dirs && opts.dirs.length > 0 ? opts.dirs : [""];
  const start = w.used.pythonText;
  const module = async (dir: string, name: string, size: number) => {
    const at = `${root}/${dir ? `${dir}/` : ""}`;
    const path = w.fresh(`${at}${name}.py`);
    const src = Buffer.from(size === 0 ? "" : pyModule(r, v, p, pkg, size), "utf8");
    await w.file(path, src, "pythonText");
    opts.record?.push(recordLine(path, src));
    if (pycRatio > 0 && src.length > 0) {
      const cpath = `${at}__pycache__/${path.slice(at.length, -3)}.cpython-312.pyc`;
      await w.file(cpath, pyc(r, p, src, Math.floor(src.length * pycRatio)), "pyc");
      opts.record?.push(`${relToSitePackages(cpath)},,`);
    }
  };
  for (const d of dirs) if (!w.taken(`${root}/${d ? `${d}/` : ""}__init__.py`)) await module(d, "__init__", r.chance(0.5) ? 0 : r.size(1500, 1.0, 60, 20000));
  while (w.used.pythonText - start < budget) {
    await module(r.pick(dirs), names.shift() ?? v.name(), r.size(opts.median, 1.1, 150, opts.max));
  }
}

const relToSitePackages = (path: string): string => (path.startsWith(`${SP}/`) ? path.slice(SP.length + 1) : path);

/** A RECORD line: `<path relative to site-packages>,sha256=<urlsafe base64, no padding>,<size>`. */
export function recordLine(path: string, content: Buffer | string): string {
  const b = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  return `${relToSitePackages(path)},sha256=${createHash("sha256").update(b).digest("base64url")},${b.length}`;
}
