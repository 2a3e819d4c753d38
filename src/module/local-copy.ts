/**
 * verify() and verifyBuilt() read a few files from a local path: that the Dockerfile exists, the project's
 * metadata (pyproject.toml, lock files, requirements files and what they include) and a gitleaks config.
 * Only those are exported into the module's runtime container (Directory.export inside a function writes
 * there, not to the caller's host); the rest of a repository (data, caches, build output) stays in the
 * engine, where the build reads it. Measured: exporting a whole repository with a 1.1 GB cache folder at
 * its root took 6.9 s of every call; its metadata alone takes 0.1 s.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { ExistsType, type Directory } from "@dagger.io/dagger";
import type { VerifyConfig } from "../config/schema.js";
import { LAYOUT_MARKERS } from "../project/detect.js";

/**
 * The files the project readers (src/project/) may open, relative to the project directory: the layout
 * markers, and every .txt or .in file, since a requirements file may include (-r) any file inside it.
 */
const PROJECT_FILES = [...LAYOUT_MARKERS, "**/*.txt", "**/*.in"];

/** What to copy out of a source root: files (glob patterns) and folders that must exist even when empty. */
export interface LocalReads {
  files: string[];
  dirs: string[];
}

/** What verify() reads under the repository root: what verifyBuilt() reads, and the Dockerfile. */
export function verifyReads(config: VerifyConfig): LocalReads {
  const project = projectReads(config.project ?? config.context, config);
  return {
    files: [posix.join(config.context, config.dockerfile), ...project.files],
    // checkInputs tells "no such context" from "no Dockerfile in it" by the folder itself.
    dirs: [config.context, ...project.dirs],
  };
}

/** What verifyBuilt() reads from a folder whose project files are at `project` (a path inside it): those and the gitleaks config. */
export function projectReads(project: string, config: VerifyConfig): LocalReads {
  const gitleaks = config.secrets.gitleaksConfig ? [posix.normalize(config.secrets.gitleaksConfig)] : [];
  return { files: [...PROJECT_FILES.map((f) => posix.join(project, f)), ...gitleaks], dirs: [project] };
}

/** A path `dir` can hold: those climbing out or absolute are left for verify()'s own one-line error. */
const inside = (p: string): boolean => !p.startsWith("..") && !posix.isAbsolute(p);

/** Export what `reads` names from `dir` into a temporary folder for `use`, and remove it after (also when the export fails). */
export async function withLocalCopy<T>(dir: Directory, reads: LocalReads, use: (path: string) => Promise<T>): Promise<T> {
  const files = reads.files.map((f) => posix.normalize(f)).filter(inside);
  // "." always exists.
  const subs = [...new Set(reads.dirs.map((d) => posix.normalize(d)))].filter((d) => d !== "." && inside(d));
  const local = await mkdtemp(join(tmpdir(), "prod-image-verify-src-"));
  try {
    // No pattern inside (a context outside the source; each folder in `dirs` comes with patterns under it):
    // no engine call at all. An empty include list would mean the whole directory, and a filter of
    // patterns that climb out once failed CI with the engine's "<id>: not found" on export.
    if (files.length > 0) {
      // Asked of the engine concurrently, not one after the other.
      const present = await Promise.all(subs.map((d) => dir.exists(d, { expectedType: ExistsType.DirectoryType })));
      const copy = subs.reduce((c, d, i) => (present[i] ? c.withNewDirectory(d) : c), dir.filter({ include: files }));
      await copy.export(local);
    }
    return await use(local);
  } finally {
    await rm(local, { recursive: true, force: true });
  }
}
