/** TOML tables as the layout readers walk them: parsed with smol-toml, read without trusting their shape. */
import { parse as parseToml, TomlError } from "smol-toml";
import { ProjectFactsError } from "./errors.js";
import { firstLine } from "../text.js";

export type Table = Record<string, unknown>;

export const isTable = (v: unknown): v is Table => typeof v === "object" && v !== null && !Array.isArray(v);
export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** The value at a key path, or undefined where any step is not a table. */
export const get = (t: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((v, k) => (isTable(v) ? v[k] : undefined), t);

/** `text` parsed; invalid TOML is a one-line error naming `file` and the line. */
export function parseTomlFile(text: string, file: string): Table {
  try {
    return parseToml(text) as Table;
  } catch (error) {
    const where = error instanceof TomlError ? ` line ${error.line}` : "";
    const why = firstLine(error);
    throw new ProjectFactsError(`${file}${where}: not valid TOML (${why}): fix the file`);
  }
}
