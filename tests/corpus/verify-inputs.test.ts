/**
 * verify() checks its local inputs before it builds anything: a missing context, Dockerfile or project
 * directory is a one-line VerifyError naming the setting to fix. The runtime here fails the test if
 * verify() ever reaches it.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { defaultConfig, type VerifyConfig } from "../../src/config/schema.js";
import type { Runtime } from "../../src/runtime/types.js";
import { verify, VerifyError } from "../../src/verify.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const untouched: Runtime = {
  name: "untouched",
  build: () => Promise.reject(new Error("verify() built before checking its inputs")),
  startConfig: () => Promise.reject(new Error("verify() read the image config before checking its inputs")),
  exportTarball: () => Promise.reject(new Error("verify() exported before checking its inputs")),
  runScenario: () => Promise.reject(new Error("verify() ran a scenario before checking its inputs")),
  close: () => Promise.resolve(),
};
const good: VerifyConfig = { ...defaultConfig(), context: "tests/fixtures/broken/good", dockerfile: "Dockerfile", target: "", project: "tests/fixtures/broken/_base" };

async function errorOf(config: VerifyConfig): Promise<Error> {
  const error = await verify({ config, runtime: untouched, repoRoot: ROOT }).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(VerifyError);
  expect((error as Error).message).not.toContain("\n");
  return error as Error;
}

describe("verify() input checks", () => {
  it("rejects a missing build context, naming the context setting", async () => {
    expect((await errorOf({ ...good, context: "tests/fixtures/broken/no-such-folder" })).message).toBe(
      `build context tests/fixtures/broken/no-such-folder is not a directory under ${ROOT}: set context (verify.yaml) to the folder that holds the Dockerfile`,
    );
  });

  it("rejects a context or project outside the repository root, naming the setting", async () => {
    expect((await errorOf({ ...good, context: "../elsewhere" })).message).toBe(
      "build context ../elsewhere is outside the repository root: set context (verify.yaml) to a folder inside it",
    );
    expect((await errorOf({ ...good, project: "/etc" })).message).toMatch(/^project directory \/etc is outside the repository root: set project/);
  });

  it("names the root as the caller asks (the module's root is a temporary copy)", async () => {
    const error = await verify({ config: { ...good, context: "nope" }, runtime: untouched, repoRoot: ROOT, rootName: "the source directory" }).catch((e: Error) => e);
    expect((error as Error).message).toBe("build context nope is not a directory under the source directory: set context (verify.yaml) to the folder that holds the Dockerfile");
  });

  it("rejects a context that is a file", async () => {
    expect((await errorOf({ ...good, context: "tests/fixtures/broken/good/Dockerfile" })).message).toMatch(/is not a directory under/);
  });

  it("rejects a missing Dockerfile, naming its path in the context", async () => {
    expect((await errorOf({ ...good, dockerfile: "Dockerfile.prod" })).message).toBe(
      "no Dockerfile at tests/fixtures/broken/good/Dockerfile.prod: set dockerfile (verify.yaml) to its path relative to the context tests/fixtures/broken/good",
    );
  });

  it("rejects a missing project directory when one is set", async () => {
    expect((await errorOf({ ...good, project: "tests/fixtures/broken/_nope" })).message).toBe(
      `project directory tests/fixtures/broken/_nope is not a directory under ${ROOT}: set project (verify.yaml) to the folder with pyproject.toml, requirements*.txt or Pipfile`,
    );
  });
});
