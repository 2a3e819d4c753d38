/** The broken-image corpus (tests/corpus/suite.ts) through DockerRuntime on the local Docker engine. */
import { docker, OFFLINE_BASE_IMAGES, uniqueName } from "../support/docker.js";
import { describeWithDocker } from "../support/describe-docker.js";
import { DockerRuntime } from "../support/docker-runtime.js";
import { buildCorpusBase, withZstdExport } from "./harness.js";
import { corpusCases, ROOT } from "./suite.js";

describeWithDocker("broken-image corpus through DockerRuntime: each fixture fails exactly its check", () => {
  corpusCases(async () => {
    const baseTag = `image-verify-corpus-base:${uniqueName("b")}`;
    await buildCorpusBase(ROOT, baseTag);
    const runtime = new DockerRuntime();
    return {
      runtime,
      // Docker 20.10 saves uncompressed layers: the zstd case re-writes the saved archive.
      zstdRuntime: withZstdExport(runtime),
      buildArgs: { ...OFFLINE_BASE_IMAGES, BASE: baseTag },
      close: async () => {
        await runtime.close();
        await docker(["rmi", "-f", baseTag], 60_000);
      },
    };
  });
});
