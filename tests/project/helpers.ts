/** Project directories written to a temp folder, for the layout readers' tests. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** A fresh directory holding `files` (relative path -> content), subfolders created as needed. */
export function projectDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "project-"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** Lines joined with newlines, trailing newline included: file contents that read like the real thing. */
export const lines = (...text: string[]): string => `${text.join("\n")}\n`;
