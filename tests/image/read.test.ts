import { afterAll, describe, expect, it } from "vitest";
import { readImage } from "../../src/image/read.js";
import type { ContentVisitor, LayerRef } from "../../src/image/types.js";
import { buildImage, type SyntheticImage, type SyntheticImageSpec } from "../support/synthetic-image.js";

const built: SyntheticImage[] = [];
async function build(spec: SyntheticImageSpec): Promise<SyntheticImage> {
  const img = await buildImage(spec);
  built.push(img);
  return img;
}
afterAll(async () => { await Promise.all(built.map((b) => b.cleanup())); });

const base = { files: [{ path: "etc", type: "dir" as const }, { path: "etc/passwd", content: "root:x:0:0:root:/root:/bin/sh\napp:x:1001:1001::/app:/bin/sh\n" }] };
const app = { files: [{ path: "/app/main.py", content: "print('hi')\n", uid: 1001, gid: 1001 }, { path: "./app/run", type: "symlink" as const, linkname: "main.py" }] };

describe.each(["oci", "docker-archive"] as const)("readImage %s", (format) => {
  it.each(["gzip", "zstd", "none"] as const)("reads %s layers: digests, diff_ids, entries, sizes", async (compression) => {
    const img = await build({ format, layers: [{ ...base, compression }, { ...app, compression }] });
    const idx = await readImage(img.path);
    expect(idx.source.format).toBe(format);
    expect(idx.source.platform).toBe("linux/amd64");
    expect(idx.configDigest).toBe(img.configDigest);
    expect(idx.layers.map((l) => l.digest)).toEqual(img.layers.map((l) => l.digest));
    expect(idx.layers.map((l) => l.diffId)).toEqual(img.layers.map((l) => l.diffId));
    expect(idx.layers.every((l) => l.compression === compression)).toBe(true);
    expect(idx.layers[1].entries.map((e) => [e.path, e.type, e.uid])).toEqual([["app/main.py", "file", 1001], ["app/run", "symlink", 0]]);
    expect(idx.layers[1].entries[1].linkname).toBe("main.py");
    expect(idx.layers[0].uncompressedSize % 512).toBe(0);
    expect(idx.problems).toEqual([]);
  });
});

describe("config and history", () => {
  it("parses the runtime config and aligns history skipping empty_layer entries", async () => {
    const img = await build({
      layers: [base, app],
      config: {
        user: "1001:1001", entrypoint: ["uvicorn"], cmd: ["app:app", "--host", "0.0.0.0"], env: ["PATH=/usr/bin"],
        workingDir: "/app", labels: { a: "b" }, exposedPorts: ["8000/tcp"], stopSignal: "SIGINT",
        healthcheck: { Test: ["CMD", "python3", "-c", "1"], Interval: 30e9, Retries: 3 },
        history: [
          { created_by: "ADD rootfs.tar /" }, { created_by: "ENV PATH=/usr/bin", empty_layer: true },
          { created_by: "COPY app /app" }, { created_by: "USER 1001", empty_layer: true },
        ],
      },
    });
    const idx = await readImage(img.path);
    expect(idx.config).toEqual({
      user: "1001:1001", entrypoint: ["uvicorn"], cmd: ["app:app", "--host", "0.0.0.0"], env: ["PATH=/usr/bin"],
      workingDir: "/app", labels: { a: "b" }, exposedPorts: ["8000/tcp"], stopSignal: "SIGINT",
      healthcheck: { test: ["CMD", "python3", "-c", "1"], intervalNs: 30e9, retries: 3 },
    });
    expect(idx.layers.map((l) => l.createdBy)).toEqual(["ADD rootfs.tar /", "COPY app /app"]);
    expect(idx.history.map((h) => h.layerIndex)).toEqual([0, undefined, 1, undefined]);
  });

  it("leaves createdBy empty and records a problem when history and layers disagree", async () => {
    const img = await build({ layers: [base, app], config: { history: [{ created_by: "only one" }] } });
    const idx = await readImage(img.path);
    expect(idx.layers.map((l) => l.createdBy)).toEqual(["", ""]);
    expect(idx.problems.map((p) => p.code)).toEqual(["history-mismatch"]);
  });

  it("fills missing config fields with empty values", async () => {
    const idx = await readImage((await build({ layers: [base] })).path);
    expect(idx.config).toEqual({ user: "", entrypoint: [], cmd: [], env: [], workingDir: "", labels: {}, exposedPorts: [] });
  });
});

describe("platforms", () => {
  const spec = { layers: [base], platforms: ["linux/arm64/v8", "linux/amd64"] };
  it("picks linux/amd64 by default, also through a nested index", async () => {
    for (const nestedIndex of [false, true]) {
      const idx = await readImage((await build({ ...spec, nestedIndex })).path);
      expect(idx.source.platform).toBe("linux/amd64");
    }
  });
  it("picks the requested platform, with or without variant", async () => {
    const img = await build(spec);
    expect((await readImage(img.path, { platform: "linux/arm64/v8" })).source.platform).toBe("linux/arm64/v8");
    expect((await readImage(img.path, { platform: "linux/arm64" })).source.platform).toBe("linux/arm64/v8");
  });
  it("lists the available platforms when the wanted one is absent", async () => {
    const img = await build({ layers: [base], platforms: ["linux/arm64", "linux/s390x"] });
    await expect(readImage(img.path)).rejects.toThrow(/no image for platform linux\/amd64; available: linux\/arm64, linux\/s390x/);
  });
});

describe("capture, visitors and progress", () => {
  it("captures etc/passwd from the last layer that wrote it", async () => {
    const img = await build({ layers: [base, { files: [{ path: "etc/passwd", content: "root:x:0:0::/root:/bin/sh\n" }] }] });
    const idx = await readImage(img.path, { capture: ["/etc/passwd"] });
    const c = idx.captured.get("etc/passwd");
    expect(c?.layerIndex).toBe(1);
    expect(c?.content.toString()).toBe("root:x:0:0::/root:/bin/sh\n");
  });

  it("drops a capture that a later layer deletes, directly, through its directory, or with an opaque directory", async () => {
    const passwd = { path: "etc/passwd", content: "root:x:0:0::/root:/bin/sh\n" };
    const cases: Array<[string, { whiteouts?: string[]; opaque?: string[] }]> = [
      ["file whiteout", { whiteouts: ["etc/passwd"] }],
      ["directory whiteout", { whiteouts: ["etc"] }],
      ["opaque directory", { opaque: ["etc"] }],
    ];
    for (const [what, deletion] of cases) {
      const img = await build({ layers: [{ files: [passwd] }, { files: [{ path: "tmp/x", content: "x" }], ...deletion }] });
      const idx = await readImage(img.path, { capture: ["etc/passwd"] });
      expect(idx.captured.has("etc/passwd"), what).toBe(false);
    }
  });

  it("truncates a capture at maxCaptureBytes and says so", async () => {
    const img = await build({ layers: [base] });
    const idx = await readImage(img.path, { capture: ["etc/passwd"], maxCaptureBytes: 4 });
    expect(idx.captured.get("etc/passwd")?.content.toString()).toBe("root");
    expect(idx.problems.map((p) => p.code)).toEqual(["capture-truncated"]);
  });

  it("streams each regular file to visitors with the right LayerRef, config first", async () => {
    const seen: Array<{ ref: LayerRef; path: string; text: string }> = [];
    const order: string[] = [];
    const visitor: ContentVisitor = {
      config: (cfg) => order.push(`config:${cfg.user}`),
      open: ({ layer, entry }) => {
        order.push(`open:${entry.path}`);
        if (!entry.path.endsWith(".py") && !entry.path.endsWith("passwd")) return undefined;
        const parts: Buffer[] = [];
        return { write: (c) => parts.push(c), end: () => seen.push({ ref: { ...layer }, path: entry.path, text: Buffer.concat(parts).toString() }) };
      },
    };
    const img = await build({ layers: [{ ...base, createdBy: "RUN base" }, { ...app, createdBy: "COPY . /app" }], config: { user: "app" } });
    const progress: number[] = [];
    await readImage(img.path, { visitors: [visitor], onProgress: (p) => progress.push(p.layerIndex) });
    expect(order).toEqual(["config:app", "open:etc/passwd", "open:app/main.py"]);
    expect(seen).toEqual([
      { ref: { index: 0, digest: img.layers[0].digest, diffId: img.layers[0].diffId, createdBy: "RUN base" }, path: "etc/passwd", text: base.files[1].content },
      { ref: { index: 1, digest: img.layers[1].digest, diffId: img.layers[1].diffId, createdBy: "COPY . /app" }, path: "app/main.py", text: "print('hi')\n" },
    ]);
    expect(progress).toEqual([0, 1, 2]);
  });

  it("passes a visitor's own exception through unchanged", async () => {
    const img = await build({ layers: [base] });
    const boom: ContentVisitor = { open: () => ({ write: () => { throw new RangeError("visitor bug"); }, end: () => undefined }) };
    await expect(readImage(img.path, { visitors: [boom] })).rejects.toThrow(RangeError);
  });
});
