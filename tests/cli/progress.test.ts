import { describe, expect, it } from "vitest";
import { progressReporter } from "../../src/cli.js";

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 40, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream };
}

describe("progressReporter", () => {
  it("rewrites one line in place on a terminal and clears it at the end", () => {
    const { writes, stream } = fakeStream(true);
    const p = progressReporter(stream);
    p.update("reading layer 1/3");
    p.update("reading layer 2/3");
    p.done();
    expect(writes.every((w) => w.startsWith("\r"))).toBe(true);
    expect(writes[1]).toContain("reading layer 2/3");
    expect(writes.at(-1)).toBe("\r\x1b[K");
  });

  it("writes whole lines at most every interval when not a terminal", async () => {
    const { writes, stream } = fakeStream(false);
    const p = progressReporter(stream, 50);
    p.update("quick");
    expect(writes).toEqual([]);
    await new Promise((r) => setTimeout(r, 60));
    p.update("later");
    p.update("too soon");
    p.done();
    expect(writes).toEqual(["later\n"]);
  });
});
