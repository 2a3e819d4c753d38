/**
 * A real `docker save` of a locally built image: layers and diff_ids must match `docker inspect`.
 * Needs the Docker engine; without one it fails under CI=true and is skipped (visibly) otherwise.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readImage } from "../../src/image/read.js";

const DOCKER = "/usr/bin/docker";
const TAG = "image-reader-test:two-layers";
const engineUp = spawnSync(DOCKER, ["version", "--format", "{{.Server.Version}}"], { timeout: 10_000 }).status === 0;
if (!engineUp && process.env.CI !== "true") {
  console.warn("SKIPPED docker-save.test.ts: no Docker engine reachable at /usr/bin/docker (set CI=true to make this fail)");
}
const dirs: string[] = [];
afterAll(async () => { await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))); });

function docker(args: string[], timeout = 120_000): string {
  return execFileSync(DOCKER, args, { env: { ...process.env, DOCKER_BUILDKIT: "1" }, timeout, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
}

describe.skipIf(!engineUp && process.env.CI !== "true")("docker save", () => {
  it("reads a saved two-layer image: diff_ids, history and whiteouts match the engine", async () => {
    expect(engineUp, "Docker engine unreachable at /usr/bin/docker").toBe(true);
    const dir = await mkdtemp(join(tmpdir(), "docker-save-"));
    dirs.push(dir);
    await writeFile(join(dir, "Dockerfile"), [
      "FROM offline/python:3.12-slim",
      "RUN echo x > /a && echo secret > /b",
      "RUN rm /b && echo y > /c",
      'USER 1001',
      'CMD ["python3", "-c", "print(1)"]',
    ].join("\n"));
    docker(["build", "--network", "host", "-q", "-t", TAG, dir]);
    const tar = join(dir, "image.tar");
    docker(["save", "-o", tar, TAG]);
    const rootfs = JSON.parse(docker(["inspect", "-f", "{{json .RootFS.Layers}}", TAG])) as string[];
    const id = docker(["inspect", "-f", "{{.Id}}", TAG]).trim();

    const idx = await readImage(tar, { capture: ["etc/passwd"] });
    expect(idx.source.format).toBe("docker-archive");
    expect(idx.configDigest).toBe(id);
    expect(idx.layers.map((l) => l.diffId)).toEqual(rootfs);
    expect(idx.problems).toEqual([]);
    const [l1, l2] = idx.layers.slice(-2);
    expect(l1.createdBy).toContain("echo x > /a");
    expect(l1.entries.map((e) => e.path)).toEqual(expect.arrayContaining(["a", "b"]));
    expect(l2.whiteouts).toEqual([{ path: "b", opaque: false }]);
    expect(l2.entries.map((e) => e.path)).toContain("c");
    expect(idx.config.user).toBe("1001");
    expect(idx.config.cmd).toEqual(["python3", "-c", "print(1)"]);
    expect(idx.captured.get("etc/passwd")?.content.toString()).toMatch(/^root:x:0:0:/);
  }, 180_000);
});
