/**
 * ProjectFacts from a project directory: pick the layout (./detect.ts), read it, and say what was left
 * unread. The layout readers are pure over file contents; only this module reads through a ProjectSource.
 */
import type { LayoutKind, ProjectFacts } from "./types.js";
import { chooseLayout, presentFiles, type Present } from "./detect.js";
import { readPdmFacts } from "./pdm.js";
import { readPipenvFacts } from "./pipenv.js";
import { readPoetryFacts } from "./poetry.js";
import { isRequirementsFile, readRequirementsFacts } from "./requirements.js";
import { dirSource, type ProjectSource } from "./source.js";
import { parseTomlFile } from "./toml.js";
import { readUvFacts } from "./uv.js";

export { ProjectFactsError } from "./errors.js";

/** The facts, or, for a directory with no Python project metadata at all, why there are none. */
export type ProjectRead = { facts: ProjectFacts; missing?: undefined } | { facts?: undefined; missing: string };

/** Read the chosen layout's files through `source`. */
async function readLayout(kind: LayoutKind, source: ProjectSource, present: Present, devExtras: string[]): Promise<ProjectFacts> {
  const pyproject = async () => (await source.read("pyproject.toml")) ?? "";
  switch (kind) {
    case "uv":
    case "pyproject":
      return readUvFacts(await pyproject(), await source.read("uv.lock"), devExtras);
    case "poetry":
      return readPoetryFacts(await pyproject(), await source.read("poetry.lock"), devExtras);
    case "pdm":
      return readPdmFacts(await pyproject(), await source.read("pdm.lock"), devExtras);
    case "pipenv":
      return readPipenvFacts(await source.read("Pipfile"), await source.read("Pipfile.lock"), present.pyproject, devExtras);
    case "requirements":
      return readRequirementsFacts(source, present.files.filter(isRequirementsFile), present.pyproject, devExtras);
  }
}

/** The facts of the project behind `source`; bad files are ProjectFactsErrors, no metadata is not. */
export async function readProjectFacts(source: ProjectSource, devExtras: string[] = []): Promise<ProjectRead> {
  const files = await presentFiles(source);
  const text = files.includes("pyproject.toml") ? await source.read("pyproject.toml") : undefined;
  const present: Present = { files, pyproject: text === undefined ? undefined : parseTomlFile(text, "pyproject.toml") };
  const kind = chooseLayout(present, devExtras);
  if (!kind) return { missing: `no Python project metadata found in ${source.name}: none of pyproject.toml, requirements*.txt, Pipfile` };
  const facts = await readLayout(kind, source, present, devExtras);
  const read = new Set(facts.layout.files.map((f) => f.path));
  const unread = files.filter((f) => !read.has(f));
  return { facts: { ...facts, layout: { ...facts.layout, ...(unread.length ? { unread } : {}) } } };
}

/** readProjectFacts over the local directory `dir`. */
export const readProjectFactsFromDir = (dir: string, devExtras: string[] = []): Promise<ProjectRead> => readProjectFacts(dirSource(dir), devExtras);
