/**
 * Where the layout readers get project files from. The readers only list and read through this, so a
 * Directory-backed source (the Dagger side) can stand in for the local one.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { ProjectFactsError } from "./errors.js";

export interface ProjectSource {
  /** How messages name the project directory. */
  name: string;
  /** Names of the entries directly in `dir` ("" for the project directory); [] when `dir` is not a directory. */
  list(dir: string): Promise<string[]>;
  /** The text of the file at `path` (relative, forward slashes), or undefined when there is no such file. */
  read(path: string): Promise<string | undefined>;
}

const code = (error: NodeJS.ErrnoException) => error.code ?? error.message;

/** The project files under the local directory `dir`. */
export function dirSource(dir: string): ProjectSource {
  return {
    name: dir,
    async list(sub) {
      return readdir(join(dir, sub)).catch((error: NodeJS.ErrnoException) => {
        // Only the project directory itself must exist; a missing requirements/ folder is just absent.
        if (sub !== "") return [];
        throw new ProjectFactsError(`${dir}: cannot read it (${code(error)}): pass the project directory (the folder with pyproject.toml, requirements.txt or Pipfile)`);
      });
    },
    async read(path) {
      const full = join(dir, path);
      return readFile(full, "utf8").catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return undefined;
        throw new ProjectFactsError(`${full}: cannot read it (${code(error)}): check that it is a readable file`);
      });
    },
  };
}
