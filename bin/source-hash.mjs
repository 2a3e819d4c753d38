// One hash of the CLI's sources (every .ts and .mjs under src/): the bundle in dist/ records the hash it was
// built from, and bin/image-verify.mjs runs the bundle only while the sources still hash the same.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** sha256 over the sorted relative paths and contents of src/**.ts and src/**.mjs. About 5 ms for this repository. */
export function sourceHash(srcDir) {
  const hash = createHash("sha256");
  const files = readdirSync(srcDir, { recursive: true }).filter((f) => f.endsWith(".ts") || f.endsWith(".mjs")).sort();
  for (const f of files) hash.update(`${f}\0`).update(readFileSync(join(srcDir, f))).update("\0");
  return hash.digest("hex");
}
