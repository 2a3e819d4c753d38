// Bundle the CLI (src/cli.ts and everything it imports from src/) into one ES module, dist/image-verify.mjs,
// so `image-verify` starts in about 0.2 s instead of the ~0.55 s tsx needs to transpile and load each module.
// npm packages stay external. The bundle records the hash of the sources it came from (dist/build.json);
// bin/image-verify.mjs falls back to the sources through tsx whenever they have changed since. Run by
// `make install` (and `npm run build`); dist/ is not committed.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { sourceHash } from "../bin/source-hash.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const hash = sourceHash(`${root}/src`);
// The layer worker (src/image/layer-worker.mjs) runs in a thread of its own, started by URL next to the
// module that starts it: bundled as a second file, so dist/layer-worker.mjs sits next to the CLI bundle.
const result = await build({
  entryPoints: { "image-verify": `${root}/src/cli.ts`, "layer-worker": `${root}/src/image/layer-worker.mjs` },
  outdir: `${root}/dist`,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: "linked",
  logLevel: "warning",
  write: false,
});
// Each file is written under a temporary name and renamed into place: a CLI starting meanwhile (tests run
// in parallel) sees the old file or the new one, never half of one.
mkdirSync(`${root}/dist`, { recursive: true });
const files = [...result.outputFiles.map((f) => [f.path, f.contents]), [`${root}/dist/build.json`, `${JSON.stringify({ sourceHash: hash })}\n`]];
for (const [path, contents] of files) {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, contents);
  renameSync(temp, path);
}
