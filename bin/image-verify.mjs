#!/usr/bin/env node
// Runs the bundled CLI (dist/, built by `make install` or `npm run build`) when it was built from the current
// sources; otherwise the TypeScript sources directly through tsx (slower to start, never stale).
// IMAGE_VERIFY_FROM_SOURCE=1 always runs the sources.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sourceHash } from "./source-hash.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));

function bundleIsCurrent() {
  if (process.env.IMAGE_VERIFY_FROM_SOURCE === "1") return false;
  try {
    return JSON.parse(readFileSync(`${root}/dist/build.json`, "utf8")).sourceHash === sourceHash(`${root}/src`);
  } catch {
    return false;
  }
}

let cli;
if (bundleIsCurrent()) cli = await import("../dist/image-verify.mjs");
else {
  const { register } = await import("tsx/esm/api");
  register();
  cli = await import("../src/cli.ts");
}
process.exitCode = await cli.main(process.argv.slice(2));
