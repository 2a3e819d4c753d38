import { afterAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { readImage } from "../../src/image/read.js";
import { ImageReadError } from "../../src/image/types.js";
import { buildImage, makeTar, type SyntheticImage, type SyntheticImageSpec } from "../support/synthetic-image.js";

const built: SyntheticImage[] = [];
const dirs: string[] = [];
async function build(spec: SyntheticImageSpec): Promise<SyntheticImage> {
  const img = await buildImage(spec);
  built.push(img);
  return img;
}
async function tempFile(data: Buffer): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "hostile-"));
  dirs.push(d);
  await writeFile(join(d, "x.tar"), data);
  return join(d, "x.tar");
}
afterAll(async () => {
  await Promise.all(built.map((b) => b.cleanup()));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** Expect a one-line ImageReadError matching `re`. */
async function expectReadError(p: Promise<unknown>, re: RegExp): Promise<void> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(ImageReadError);
  const msg = (e as Error).message;
  expect(msg).toMatch(re);
  expect(msg).not.toContain("\n");
}

describe("hostile entries", () => {
  it("flags path traversal, keeps absolute paths normalised", async () => {
    const img = await build({ layers: [{ files: [{ path: "../../evil", content: "x" }, { path: "a/../../b", content: "y" }, { path: "/etc/x", content: "z" }, { path: "./usr/./bin/../lib/y", content: "w" }] }] });
    const idx = await readImage(img.path);
    expect(idx.layers[0].entries.map((e) => e.path)).toEqual(["etc/x", "usr/lib/y"]);
    expect(idx.problems.map((p) => [p.code, p.path])).toEqual([["path-traversal", "../../evil"], ["path-traversal", "a/../../b"]]);
  });

  it("flags symlinks and hard links pointing outside the root", async () => {
    const img = await build({ layers: [{ files: [
      { path: "app/out", type: "symlink", linkname: "../../../etc/shadow" },
      { path: "app/ok", type: "symlink", linkname: "/etc/passwd" },
      { path: "app/hard", type: "hardlink", linkname: "../outside" },
    ] }] });
    const idx = await readImage(img.path);
    expect(idx.layers[0].entries.map((e) => e.path)).toEqual(["app/out", "app/ok", "app/hard"]);
    expect(idx.problems.map((p) => [p.code, p.path])).toEqual([["link-escape", "app/out"], ["link-escape", "app/hard"]]);
  });

  it("rejects a huge pax header with an error naming the layer", async () => {
    // A 5 MiB pax header: a file entry whose type flag is patched to "x" (tar-stream's pack is too slow for this).
    const tar = await makeTar([{ path: "PaxHeader", content: Buffer.alloc(5 * 1024 * 1024, "a") }, { path: "f", content: "x" }]);
    tar[156] = "x".charCodeAt(0);
    tar.fill(" ", 148, 156);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += tar[i];
    tar.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
    const img = await build({ layers: [{ rawTar: tar }] });
    await expectReadError(readImage(img.path), /layer 0 \(blobs\/sha256\/[a-f0-9]{64}\).*Header exceeds max size/);
  });
});

describe("decompression bombs", () => {
  it("stops a layer past maxLayerBytes", async () => {
    const img = await build({ layers: [{ files: [{ path: "zeros", content: Buffer.alloc(4 * 1024 * 1024) }] }] });
    await expectReadError(readImage(img.path, { maxLayerBytes: 1024 * 1024 }), /layer 0 .*exceeds maxLayerBytes \(1048576\).*raise maxLayerBytes/);
  });

  it("stops a zstd layer with an absurd compression ratio", async () => {
    const img = await build({ layers: [{ compression: "zstd", files: [{ path: "zeros", content: Buffer.alloc(80 * 1024 * 1024) }] }] });
    await expectReadError(readImage(img.path), /compression ratio over 2000:1/);
  }, 30_000);
});

describe("corrupt and truncated input", () => {
  const files = [{ path: "f", content: Buffer.from("abc".repeat(50_000)) }];
  it.each(["gzip", "zstd", "none"] as const)("rejects a truncated %s layer", async (compression) => {
    const img = await build({ layers: [{ compression, files, tamper: (b) => b.subarray(0, Math.floor(b.length / 2)) }] });
    await expectReadError(readImage(img.path), /^layer 0 \(blobs\/sha256\/.*corrupt or truncated, export the image again$/);
  });

  it("rejects a gzip layer with flipped bytes", async () => {
    const tamper = (b: Buffer) => { const c = Buffer.from(b); for (let i = 20; i < 60; i++) c[i] ^= 0xff; return c; };
    const img = await build({ layers: [{ files, tamper }] });
    await expectReadError(readImage(img.path), /layer 0 .*corrupt or truncated/);
  });

  it("rejects a layer that is not a tar", async () => {
    const img = await build({ layers: [{ compression: "none", rawTar: Buffer.from("hello, not a tar ".repeat(64)) }] });
    await expectReadError(readImage(img.path), /layer 0 .*not a tar archive \(nor gzip\/zstd\)/);
  });

  it("rejects a blob whose digest does not match the manifest", async () => {
    const img = await build({ layers: [{ compression: "none", files, tamper: (b) => Buffer.concat([b, Buffer.alloc(1024)]) }] });
    await expectReadError(readImage(img.path), /layer 0 .*hash to sha256:[a-f0-9]{64}, the manifest says sha256:.*tampered/);
  });

  it("records a diff_id mismatch as a problem", async () => {
    const img = await build({ layers: [{ files }], config: { diffIds: [`sha256:${"0".repeat(64)}`] } });
    const idx = await readImage(img.path);
    expect(idx.problems.map((p) => p.code)).toEqual(["diffid-mismatch"]);
    expect(idx.layers[0].diffId).toBe(img.layers[0].diffId);
  });

  it("trusts magic bytes over a lying media type", async () => {
    const img = await build({ layers: [{ files, mediaType: "application/vnd.oci.image.layer.v1.tar+zstd" }] });
    const idx = await readImage(img.path);
    expect(idx.layers[0].compression).toBe("gzip");
    expect(idx.problems.map((p) => p.code)).toEqual(["compression-mismatch"]);
  });
});

describe("not an image", () => {
  it("rejects a file that is not a tar", async () => {
    await expectReadError(readImage(await tempFile(Buffer.from("just text\n".repeat(100)))), /is not a readable tar archive.*docker save/);
  });
  it("rejects an empty file and a gzipped tarball with what to do", async () => {
    await expectReadError(readImage(await tempFile(Buffer.alloc(0))), /is empty/);
    await expectReadError(readImage(await tempFile(gzipSync(Buffer.alloc(1024)))), /gzip-compressed: gunzip it first/);
  });
  it("rejects a tarball cut off inside an entry, without an uncaught error", async () => {
    const noise = randomBytes(200_000).toString("base64");
    const img = await build({ format: "docker-archive", layers: [{ compression: "none", files: [{ path: "a", content: noise }] }] });
    const whole = await readFile(img.path);
    await expectReadError(readImage(await tempFile(whole.subarray(0, Math.floor(whole.length * 0.6)))), /truncated|not a readable tar|missing/);
  });
  it("rejects a tar with no manifest, and a missing file", async () => {
    await expectReadError(readImage(await tempFile(await makeTar([{ path: "hello", content: "x" }]))), /neither index.json .* nor manifest.json/);
    await expectReadError(readImage("/nonexistent/image.tar"), /cannot open image tarball/);
  });
});
