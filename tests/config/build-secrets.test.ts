/** verify.yaml buildSecrets: the sources resolved for the Docker path, and one line naming the id when one is missing. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BuildSecretError, resolveBuildSecrets } from "../../src/config/build-secrets.js";
import { parseConfig } from "../../src/config/load.js";

describe("buildSecrets", () => {
  let root = "";
  const ENV = "IMAGE_VERIFY_TEST_BUILD_SECRET";
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "build-secrets-"));
    await writeFile(join(root, ".npmrc"), "//registry.example/:_authToken=made-at-test-time\n");
    process.env[ENV] = "from-the-environment-1234";
  });
  afterAll(async () => {
    delete process.env[ENV];
    await rm(root, { recursive: true, force: true });
  });

  it("reads env: and file: sources (files relative to the repository root)", async () => {
    const config = parseConfig(`buildSecrets:\n  token: env:${ENV}\n  npmrc: file:.npmrc\n`);
    expect(await resolveBuildSecrets(config.buildSecrets, root)).toEqual({
      token: "from-the-environment-1234",
      npmrc: "//registry.example/:_authToken=made-at-test-time\n",
    });
  });

  it("names the id and the source of a missing variable or file, in one line", async () => {
    await expect(resolveBuildSecrets({ token: "env:IMAGE_VERIFY_NOT_SET_ANYWHERE" }, root)).rejects.toThrow(
      new BuildSecretError('build secret "token": the environment variable IMAGE_VERIFY_NOT_SET_ANYWHERE is not set: set it, or change buildSecrets.token in verify.yaml'),
    );
    await expect(resolveBuildSecrets({ npmrc: "file:missing/.npmrc" }, root)).rejects.toThrow(
      'build secret "npmrc": cannot read missing/.npmrc (ENOENT): create it, or change buildSecrets.npmrc in verify.yaml',
    );
  });

  it("refuses an id or a source verify.yaml cannot mean, naming the key", () => {
    expect(() => parseConfig("buildSecrets:\n  token: vault:kv/x\n")).toThrow(/'buildSecrets\.token': write env:NAME or file:path/);
    expect(() => parseConfig("buildSecrets:\n  'bad id': env:X\n")).toThrow(/buildSecrets/);
  });
});
