import { afterAll, describe, expect, it } from "vitest";
import { finalFiles, matchGlob, shadowedFiles } from "../../src/image/filesystem.js";
import { readImage } from "../../src/image/read.js";
import { buildImage, type SyntheticImage } from "../support/synthetic-image.js";

const built: SyntheticImage[] = [];
afterAll(async () => { await Promise.all(built.map((b) => b.cleanup())); });

async function index() {
  const img = await buildImage({
    format: "docker-archive",
    layers: [
      { files: [
        { path: "app", type: "dir" }, { path: "app/.env", content: "TOKEN=abcdefghijklmnop" }, { path: "app/main.py", content: "v1" },
        { path: "cache", type: "dir" }, { path: "cache/a", content: "aaaa" }, { path: "cache/sub/b", content: "bb" },
        { path: "tmp/x", content: "x" },
      ] },
      { compression: "zstd", whiteouts: ["app/.env"], opaque: ["cache"], files: [{ path: "app/main.py", content: "v2!" }, { path: "cache/new", content: "n" }] },
      { compression: "none", files: [{ path: "tmp", content: "now a file" }] },
    ],
  });
  built.push(img);
  return readImage(img.path);
}

describe("finalFiles", () => {
  it("applies whiteouts, opaque dirs and file-over-dir replacement in layer order", async () => {
    const idx = await index();
    const fs = finalFiles(idx);
    expect([...fs.keys()].sort()).toEqual(["app", "app/main.py", "cache", "cache/new", "tmp"]);
    expect(fs.get("app/main.py")?.layer.index).toBe(1);
    expect(fs.get("app/main.py")?.entry.size).toBe(3);
    expect(fs.get("tmp")?.entry.type).toBe("file");
    expect(idx.layers[1].whiteouts).toEqual([{ path: "app/.env", opaque: false }, { path: "cache", opaque: true }]);
  });
});

describe("shadowedFiles", () => {
  it("lists overwritten and deleted files with the layer that hid them and their bytes", async () => {
    const idx = await index();
    const rows = shadowedFiles(idx).map((s) => [s.path, s.layer.index, s.by.index, s.how, s.bytes]);
    expect(rows.sort()).toEqual([
      ["app/.env", 0, 1, "deleted", 22],
      ["app/main.py", 0, 1, "overwritten", 2],
      ["cache/a", 0, 1, "deleted", 4],
      ["cache/sub/b", 0, 1, "deleted", 2],
      ["tmp/x", 0, 2, "deleted", 1],
    ]);
  });
});

describe("matchGlob", () => {
  it.each([
    ["**/.env", "app/.env", true], ["**/.env", ".env", true], ["**/.env", "app/.envrc", false],
    ["app/*.py", "app/main.py", true], ["app/*.py", "app/sub/main.py", false], ["app/**", "app/sub/main.py", true],
    ["/etc/passwd", "etc/passwd", true], ["etc/pass?d", "etc/passwd", true], ["etc/pass?d", "etc/pass/d", false],
    ["**/*.pem", "a/b/c/key.pem", true], ["a/**/c", "a/c", true], ["a/**/c", "a/x/y/c", true], ["a.b", "axb", false],
  ])("%s vs %s -> %s", (pattern, path, want) => {
    expect(matchGlob(pattern, path)).toBe(want);
  });
});
