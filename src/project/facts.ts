/**
 * ProjectFacts from a project directory: which distributions are dev-only.
 * The readers are pure over file contents, so the Dagger side can pass contents it read from a Directory.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ProjectFacts } from "./types.js";
import { ProjectFactsError } from "./errors.js";
import { readUvFacts } from "./uv.js";

export { ProjectFactsError } from "./errors.js";

/** readUvFacts over `<dir>/pyproject.toml` and, when present, `<dir>/uv.lock`. */
export async function readProjectFactsFromDir(dir: string, devExtras: string[] = []): Promise<ProjectFacts> {
  const pyproject = await readFile(join(dir, "pyproject.toml"), "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new ProjectFactsError(`${join(dir, "pyproject.toml")}: cannot read it (${error.code ?? error.message}): pass the directory that holds pyproject.toml`);
  });
  const lock = await readFile(join(dir, "uv.lock"), "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw new ProjectFactsError(`${join(dir, "uv.lock")}: cannot read it (${error.code ?? error.message}): check its permissions`);
  });
  return readUvFacts(pyproject, lock, devExtras);
}
