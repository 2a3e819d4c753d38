/** The canary's byte search: a value split across two chunks, at every split point, is still found. */
import { describe, expect, it } from "vitest";
import { RawNeedles } from "../../src/secrets/canary.js";

describe("RawNeedles", () => {
  const value = "tok-QX4r9LmZ2pWc";
  const needles = new RawNeedles({ token: value });
  const blob = Buffer.concat([Buffer.from([0, 1, 2, 3, 255]).fill(7, 1, 3), Buffer.from(value), Buffer.alloc(40)]);

  it("finds the value at every split of the stream, and in its hex form", () => {
    for (let cut = 0; cut <= blob.length; cut++) {
      const search = needles.searcher();
      search.write(blob.subarray(0, cut));
      search.write(blob.subarray(cut));
      expect([...search.found().keys()], `cut at ${cut}`).toEqual(["token"]);
    }
    const hex = needles.searcher();
    hex.write(Buffer.from(`\0\0${Buffer.from(value).toString("hex")}\0`));
    expect(hex.found().get("token")).toBe(Buffer.from(value).toString("hex"));
  });

  it("finds nothing in bytes that only share a prefix, and is empty for values too short to search", () => {
    const search = needles.searcher();
    search.write(Buffer.from(`${value.slice(0, -1)}!`));
    expect(search.found().size).toBe(0);
    expect(new RawNeedles({ pin: "1234" }).empty).toBe(true);
  });
});
