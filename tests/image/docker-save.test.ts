/**
 * A real `docker save` of a locally built image: layers and diff_ids must match `docker inspect`.
 * Needs the Docker engine (see describeWithDocker).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { readImage } from "../../src/image/read.js";
import { describeWithDocker } from "../support/describe-docker.js";
import { dockerOk, uniqueName } from "../support/docker.js";

const TAG = `image-reader-test:${uniqueName("two-layers")}`;
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  await dockerOk(["rmi", "-f", TAG]).catch(() => undefined);
});
const docker = (args: string[]) => dockerOk(args, 120_000);

describeWithDocker("docker save", () => {
  it("reads a saved two-layer image: diff_ids, history and whiteouts match the engine", async () => {
    const dir = await mkdtemp(join(tmpdir(), "docker-save-"));
    dirs.push(dir);
    await writeFile(join(dir, "Dockerfile"), [
      "FROM offline/python:3.12-slim",
      "RUN echo x > /a && echo secret > /b",
      "RUN rm /b && echo y > /c",
      'USER 1001',
      'CMD ["python3", "-c", "print(1)"]',
    ].join("\n"));
    await docker(["build", "--network", "host", "-q", "-t", TAG, dir]);
    const tar = join(dir, "image.tar");
    await docker(["save", "-o", tar, TAG]);
    const rootfs = JSON.parse(await docker(["inspect", "-f", "{{json .RootFS.Layers}}", TAG])) as string[];
    const id = (await docker(["inspect", "-f", "{{.Id}}", TAG])).trim();

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
