/**
 * bin/image-verify.mjs runs the bundle in dist/ when it was built from the current sources, else the sources
 * through tsx: both paths must behave the same, and a bundle built from other sources must never run.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// A plain .mjs helper: typed from its JavaScript (tsconfig allowJs).
import { sourceHash } from "../../bin/source-hash.mjs";
import { runCli, type CliResult } from "../support/cli.js";
import { buildImage, type SyntheticImage } from "../support/synthetic-image.js";

const ROOT = join(import.meta.dirname, "../..");

const run = (env: Record<string, string>, ...args: string[]): Promise<CliResult> => runCli(args, { env });

describe("bin/image-verify.mjs", () => {
  beforeAll(async () => {
    await promisify(execFile)(process.execPath, [join(ROOT, "scripts/build-cli.mjs")], { timeout: 60_000 });
  }, 70_000);

  it("the build records the hash of the current sources", async () => {
    const stamp = JSON.parse(await readFile(join(ROOT, "dist/build.json"), "utf8")) as { sourceHash: string };
    expect(stamp.sourceHash).toBe((sourceHash as (dir: string) => string)(join(ROOT, "src")));
  });

  it("bundle and sources print the same help and the same one-line error", async () => {
    const [bundled, source] = await Promise.all([run({}, "--help"), run({ IMAGE_VERIFY_FROM_SOURCE: "1" }, "--help")]);
    expect(bundled).toEqual(source);
    expect(bundled.stdout).toMatch(/^Usage: image-verify inspect/);
    const [b2, s2] = await Promise.all([run({}, "inspect", "/nonexistent.tar"), run({ IMAGE_VERIFY_FROM_SOURCE: "1" }, "inspect", "/nonexistent.tar")]);
    expect(b2).toEqual(s2);
    expect(b2.code).toBe(2);
    expect(b2.stderr).toBe("image-verify: /nonexistent.tar: no such file: give the path of an image tarball (docker save, OCI layout)\n");
  });

  describe("where worker threads are refused (Node's permission model)", () => {
    let image: SyntheticImage | undefined;
    afterAll(async () => image?.cleanup());

    it("reads every layer on the main thread: the same report", async () => {
      // Uncompressed layers, as `docker save` writes them: the ones read in workers by default. A key is
      // planted (assembled here, so this file holds none) to give the scan something to find.
      const key = ["AKIA", "QZ7X", "K4VM", "P2WN", "R8TB"].join("");
      const files = (n: number) => [{ path: `app/m${n}.py`, content: `x = ${n}\n`.repeat(5000) }];
      image = await buildImage({
        format: "docker-archive",
        layers: [{ compression: "none", files: files(1) }, { compression: "none", files: [...files(2), { path: "app/.env", content: `AWS_ACCESS_KEY_ID=${key}\n` }] }, { compression: "none", files: files(3) }],
      });
      // --permission since Node 22.13 and 23.5; before, --experimental-permission.
      const flag = process.allowedNodeEnvironmentFlags.has("--permission") ? "--permission" : "--experimental-permission";
      const args = ["inspect", image.path, "--format", "json"];
      const [free, fenced] = await Promise.all([run({}, ...args), runCli(args, { nodeFlags: [flag, "--allow-fs-read=*"] })]);
      const report = (stdout: string) => ({ ...(JSON.parse(stdout) as object), startedAt: 0, durationMs: 0 });
      expect(fenced.stderr).not.toContain("image-verify: unexpected error");
      expect(fenced.code).toBe(1);
      expect(report(fenced.stdout)).toEqual(report(free.stdout));
      expect(fenced.stdout).toContain("no-secrets");
      expect(fenced.stdout).not.toContain(key);
    }, 60_000);
  });
});
