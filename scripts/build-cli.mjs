// Bundle the CLI (src/cli.ts and everything it imports from src/) into one ES module, dist/image-verify.mjs,
// so `image-verify` starts in about 0.1 s instead of the ~0.5 s tsx needs to transpile and load each module.
// npm packages stay external. The bundle records the hash of the sources it came from (dist/build.json);
// bin/image-verify.mjs falls back to the sources through tsx whenever they have changed since. Run by
// `make install` (and `npm run build`); dist/ is not committed.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { sourceHash } from "../bin/source-hash.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const hash = sourceHash(`${root}/src`);
await build({
  entryPoints: [`${root}/src/cli.ts`],
  outfile: `${root}/dist/image-verify.mjs`,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: "linked",
  logLevel: "warning",
});
writeFileSync(`${root}/dist/build.json`, `${JSON.stringify({ sourceHash: hash, builtAt: new Date().toISOString() })}\n`);
