/** The errors of reading a project's metadata. */

/** A one-line error about the project files: which file, what is wrong, what to do. */
export class ProjectFactsError extends Error {
  override name = "ProjectFactsError";
}
