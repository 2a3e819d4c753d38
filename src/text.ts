/** One-line forms of errors and command output, for messages that must fit on one line. */

/** The first line of an error's message (or of any thrown value as text). */
export function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split("\n")[0];
}

/** The last line of command output, trimmed; "" for no output. */
export function lastLine(text: string): string {
  return text.trim().split("\n").at(-1)?.trim() ?? "";
}

/** The last `count` lines of command output. */
export function tailLines(text: string, count: number): string {
  return text.trim().split("\n").slice(-count).join("\n");
}
