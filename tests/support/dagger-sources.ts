/**
 * Folders the module-mode suites hand to the dagger CLI: a corpus fixture as a source of its own (its
 * Dockerfile, the fixture project and a verify.yaml pointing at both), optionally with a copy of this
 * module beside it so `dagger check` runs there. The fixtures' base and uv images are built here by Docker
 * and pushed to the kit's registry, which the engine pulls from.
 */
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildCorpusBase } from "../corpus/harness.js";
import { loadFixtures } from "../corpus/expect.js";
import { docker, OFFLINE_BASE_IMAGES, uniqueName } from "./docker.js";
import { pushToKitRegistry } from "./kit-registry.js";

export const ROOT = path.resolve(import.meta.dirname, "../..");
const FIXTURES = path.join(ROOT, "tests/fixtures/broken");
/** What a module needs beside its sources: the SDK reads these (dagger.json "source": "."). */
const MODULE_FILES = ["dagger.json", "package.json", "package-lock.json", "tsconfig.json", "src"];

export interface BrokenSources {
  /** A fresh folder holding `fixture` as its build context, the fixture project and a verify.yaml. */
  source(fixture: string, options?: { withModule?: boolean }): Promise<string>;
  /** Remove every folder made. */
  cleanup(): Promise<void>;
}

/** Build the corpus base, push it and the uv stand-in to the kit's registry, and make sources from fixtures. */
export async function brokenSources(): Promise<BrokenSources> {
  const baseTag = `image-verify-corpus-base:${uniqueName("m")}`;
  await buildCorpusBase(ROOT, baseTag);
  const [base, uv] = await Promise.all([pushToKitRegistry(baseTag, "corpus-base"), pushToKitRegistry(OFFLINE_BASE_IMAGES.UV_IMAGE, "uv")]);
  await docker(["rmi", baseTag], 60_000);
  const made: string[] = [];
  return {
    async source(fixture, options = {}) {
      const dir = await mkdtemp(path.join(tmpdir(), `dagger-${fixture}-`));
      made.push(dir);
      await cp(path.join(ROOT, "tests/fixtures/broken", fixture), path.join(dir, "image"), { recursive: true });
      await cp(path.join(ROOT, "tests/fixtures/broken/_base"), path.join(dir, "project"), { recursive: true });
      const expected = (await loadFixtures(FIXTURES)).find((f) => f.name === fixture)?.expect.config;
      // The fixture's own build secrets (its expect.yaml), which --build-secret then has to give.
      const declared = expected?.buildSecrets ?? {};
      // A fixture that is its own project (a pip or Poetry one) is read from its folder, as the corpus does.
      const project = expected?.project === path.relative(ROOT, path.join(FIXTURES, fixture)) ? "image" : "project";
      const config = { context: "image", dockerfile: "Dockerfile", target: "", project, buildArgs: { BASE: base, UV_IMAGE: uv }, buildSecrets: declared };
      await writeFile(path.join(dir, "verify.yaml"), JSON.stringify(config));
      if (options.withModule) {
        await Promise.all(MODULE_FILES.map((name) => cp(path.join(ROOT, name), path.join(dir, name), { recursive: true })));
      }
      return dir;
    },
    async cleanup() {
      await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}
