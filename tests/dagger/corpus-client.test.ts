/**
 * Client mode: the broken-image corpus (tests/corpus/suite.ts) through DaggerRuntime, driven from this
 * process over a Dagger session, on the real engine. The same cases and expectations as through
 * DockerRuntime (tests/corpus/corpus.test.ts), so every fixture gets the same verdict for every check on
 * both. The fixtures' base and uv images are the ones the Docker suite uses, pushed to the engine's
 * local registry, so both engines judge the same layers. Each image is also handed over as a Container
 * (DaggerRuntime.adopt, the path of the module's verify-container) and must get the same verdicts.
 */
import { dag } from "@dagger.io/dagger";
import { harnessSourceFile } from "../../src/runtime/harness.js";
import { DaggerRuntime } from "../../src/runtime/dagger.js";
import { SOURCE_IGNORE } from "../../src/index.js";
import { docker, OFFLINE_BASE_IMAGES, uniqueName } from "../support/docker.js";
import { openDaggerSession } from "../support/dagger.js";
import { describeWithDagger } from "../support/describe-dagger.js";
import { pushToKitRegistry } from "../support/kit-registry.js";
import { buildCorpusBase } from "../corpus/harness.js";
import { corpusCases, ROOT } from "../corpus/suite.js";

describeWithDagger("broken-image corpus through DaggerRuntime (client mode): the same verdicts as through Docker", () => {
  corpusCases(async () => {
    const baseTag = `image-verify-corpus-base:${uniqueName("d")}`;
    await buildCorpusBase(ROOT, baseTag);
    const [BASE, UV_IMAGE] = await Promise.all([pushToKitRegistry(baseTag, "corpus-base"), pushToKitRegistry(OFFLINE_BASE_IMAGES.UV_IMAGE, "uv")]);
    await docker(["rmi", baseTag], 60_000);
    const session = await openDaggerSession();
    const source = dag.host().directory(ROOT, { exclude: SOURCE_IGNORE });
    const options = { repoRoot: ROOT, harnessSource: dag.host().file(harnessSourceFile()) };
    const runtime = new DaggerRuntime(source, options);
    // The engine writes zstd layers itself.
    const zstdRuntime = new DaggerRuntime(source, { ...options, layerCompression: "zstd" });
    return {
      runtime,
      zstdRuntime,
      buildArgs: { BASE, UV_IMAGE },
      // As verify-container receives it: a Container handed over, not a build of this runtime.
      adopt: (rt, image) => {
        const dagger = rt as DaggerRuntime;
        return dagger.adopt(dagger.container(image), "the given container");
      },
      close: async () => {
        await Promise.all([runtime.close(), zstdRuntime.close()]);
        await session.close();
      },
    };
  });
});
