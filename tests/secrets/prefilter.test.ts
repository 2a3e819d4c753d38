/**
 * The byte DFA behind the keyword prefilter: it must report exactly the bytes where a keyword (or a
 * keywordPattern's fixed prefix) ends, case-insensitively, whatever the chunking, and keep doing so when
 * its transition table fills up and is rebuilt.
 */
import { describe, expect, it } from "vitest";
import { Prefilter, literalPattern, regexPattern, type PrefilterCursor } from "../../src/secrets/prefilter.js";

/** Hit positions and newline count of a whole text fed in chunks of `chunk` bytes. */
function scan(pf: Prefilter, text: Buffer, chunk: number): { hits: number[]; newlines: number } {
  const cur: PrefilterCursor = { state: Prefilter.START, newlines: 0, lastNewline: -1 };
  const hits: number[] = [];
  let newlines = 0;
  for (let at = 0; at < text.length; at += chunk) {
    const part = text.subarray(at, at + chunk);
    for (let from = 0; from <= part.length; ) {
      const h = pf.run(cur, part, from, part.length);
      newlines += cur.newlines;
      if (h < 0) break;
      hits.push(at + h);
      from = h + 1;
    }
  }
  return { hits, newlines };
}

/** Positions where some keyword ends, by brute force. */
function naive(text: string, keywords: string[]): number[] {
  const lower = text.toLowerCase();
  const out: number[] = [];
  for (let i = 0; i < lower.length; i++) if (keywords.some((k) => i + 1 >= k.length && lower.slice(i + 1 - k.length, i + 1) === k)) out.push(i);
  return out;
}

describe("Prefilter", () => {
  const keywords = ["akia", "ghp_", "secret", "ecr", "private key", "hf_", "aaab"];
  // A small alphabet makes overlapping partial matches (aaab, secret/ecr) common.
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const alphabet = "aAbkKiIgGhHpP_sSeEcCrRtT \nfF";
  const text = Array.from({ length: 20_000 }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join("") + " SECRET private KEY AKIA hf_";

  it.each([1, 3, 64, 4096, 1 << 20])("finds every keyword end, case-insensitively, in chunks of %i bytes", (chunk) => {
    const pf = new Prefilter(keywords.map(literalPattern));
    const { hits, newlines } = scan(pf, Buffer.from(text, "latin1"), chunk);
    expect(hits).toEqual(naive(text, keywords));
    expect(newlines).toBe(text.split("\n").length - 1);
  });

  it("gives the same hits when its table is rebuilt again and again", () => {
    const pf = new Prefilter(keywords.map(literalPattern), 4);
    expect(scan(pf, Buffer.from(text, "latin1"), 257).hits).toEqual(naive(text, keywords));
  });

  it("turns a keywordPattern into its fixed prefix of byte sets", () => {
    const pf = new Prefilter([regexPattern(/sk[0-9a-f]{4}/i), regexPattern(/sg\.[a-z0-9_-]{3}\./i)]);
    const text = Buffer.from("task disk SK12ab sk12ag SG.a_9.x sg.ab.", "latin1");
    const ends = scan(pf, text, 5).hits.map((i) => text.toString("latin1", 0, i + 1).split(" ").at(-1));
    expect(ends).toEqual(["SK12ab", "SG.a_9."]);
    expect(regexPattern(/ab{2,5}c/).length).toBe(3); // a, b, b: what follows a variable repeat has no fixed place
    expect(() => regexPattern(/(x|y)z/)).toThrow("no fixed prefix");
  });
});
