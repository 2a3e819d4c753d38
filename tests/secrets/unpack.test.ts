/**
 * The unpackers through the scanner's visitor, fed in small chunks: UTF-16 split at odd bytes, tar long
 * names, the .pyc fallback for other versions, and each bound of UnpackOptions leaving its one note.
 */
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { defaultRuleSet } from "../../src/secrets/load.js";
import { createSecretScanner, type ScannerOptions } from "../../src/secrets/scanner.js";
import { carvedStrings, printableRuns, pycConstants } from "../../src/secrets/unpack/pyc.js";
import { sniffUtf16 } from "../../src/secrets/unpack/utf16.js";
import { compilePyc, gzip, tar, tarGz, utf16, withMagic, zip } from "../support/packed.js";
import { LAYER, brief, checksummed, feed } from "./helpers.js";

const GHP = checksummed(["gh", "p_"].join(""), "Q7vN2kLm9XpR4tZs8WcYb3HjD6fGa1");
const AKIA = ["AK", "IA"].join("") + "QYLPMN5HFIQR7XYZ";
const ghp = `ghp_****************${GHP.slice(-2)}`;

function scan(files: Record<string, string | Buffer>, opts: Partial<ScannerOptions> = {}, chunk = 4096) {
  const scanner = createSecretScanner({ rules: defaultRuleSet(), ...opts });
  for (const [path, content] of Object.entries(files)) feed(scanner, path, content, chunk);
  return { findings: brief(scanner.findings()), notes: scanner.notes().map((n) => `${n.path}: ${n.message}`), stats: scanner.stats() };
}

describe("UTF-16", () => {
  const text = `# ünïcödé 𝄞 header\r\nregion = "eu"\r\ntoken = "${GHP}"\r\n`;
  it.each([1, 7, 4096])("decodes LE with a BOM and BE without, split every %i bytes", (chunk) => {
    const r = scan({ "cfg/a.ini": utf16(text, "le-bom"), "cfg/b.ini": utf16(text, "be") }, {}, chunk);
    expect(r.findings).toEqual([`github-token cfg/a.ini:3 ${ghp}`, `github-token cfg/b.ini:3 ${ghp}`]);
    expect(r.stats).toMatchObject({ decoded: 2, binarySkipped: 0 });
  });

  it("does not take 16-bit binary data for text", () => {
    const words = Buffer.alloc(4096);
    for (let i = 0; i < words.length; i += 2) words[i] = (i * 7) % 31; // control bytes, zero high bytes
    expect(sniffUtf16(words)).toBeUndefined();
    expect(scan({ "data/table.bin": words }).stats).toMatchObject({ decoded: 0, binarySkipped: 1 });
  });
});

describe("tar", () => {
  it("reads pax long names, fed one byte at a time", async () => {
    const long = `${"deep/".repeat(30)}settings.py`;
    const t = await tar({ [long]: `A = 1\nT = "${GHP}"\n`, "b.txt": "x\n" });
    expect(scan({ "srv/site.tar": t }, {}, 1).findings).toEqual([`github-token srv/site.tar!${long}:2 ${ghp}`]);
  });
});

describe(".pyc strings", () => {
  it("printable runs alone run into the next marshal type code; constants and carved strings end where the string does", () => {
    const pyc = compilePyc(`KEY = "${AKIA}"\n`); // co_consts: (the key, None): 'N' follows the key's bytes
    expect(printableRuns(pyc).map(String)).toContain(`${AKIA}N)`);
    expect(pycConstants(pyc)!.map(String)).toEqual([AKIA]);
    expect(carvedStrings(pyc).map(String)).toContain(AKIA);
    // So a rule that wants the key to end there finds it in the constants, and would miss it in the runs.
    expect(scan({ "k.pyc": pyc }).findings).toEqual(["aws-access-key-id k.pyc:1 AKIA**************YZ"]);
  });
});

describe("a .pyc cut short", () => {
  it("gives the constants read before the cut, with no note", () => {
    const pyc = compilePyc(`A = "${GHP}"\nB = "${AKIA}"\n`);
    const cut = pyc.subarray(0, pyc.indexOf(AKIA) + 4);
    const r = scan({ "k.pyc": cut });
    expect(r.findings).toEqual([`github-token k.pyc:1 ${ghp}`]);
    expect(r.notes).toEqual([]);
  });
});

describe(".pyc of another version", () => {
  it("falls back to printable runs: the secret is found, its line the run's ordinal", () => {
    const pyc = withMagic(compilePyc(`"""Keys."""\nKEY = "${AKIA}"\n`), 3394); // 3.7's magic: not read exactly
    const r = scan({ "app/__pycache__/k.cpython-37.pyc": pyc });
    expect(r.findings).toEqual([expect.stringMatching(/^aws-access-key-id app\/__pycache__\/k\.cpython-37\.pyc:\d+ AKIA\*{14}YZ$/)]);
    expect(r.notes).toEqual([]);
  });
});

describe("bounds (UnpackOptions)", () => {
  it("maxDepth: an archive below it gets a note, the ones above are unpacked", () => {
    const inner = zip({ "t.py": `T = "${GHP}"\n` });
    const r = scan({ "a.zip": zip({ "in.zip": inner, "top.py": `T = "${GHP}"\n` }) }, { unpack: { maxDepth: 1 } });
    expect(r.findings).toEqual([`github-token a.zip!top.py:1 ${ghp}`]);
    expect(r.notes).toEqual(["a.zip!in.zip: archive nested 2 deep, deeper than maxDepth (1); not unpacked"]);
  });

  it("maxMemberBytes: a member is scanned up to it, one note, and the next member is still read", async () => {
    const big = `T = "${GHP}"\n${"# filler line\n".repeat(500)}K = "${AKIA}"\n`;
    const t = await tarGz({ "big.py": big, "next.py": `K = "${AKIA}"\n` });
    const r = scan({ "b.tgz": t }, { unpack: { maxMemberBytes: 1000 } });
    expect(r.findings).toEqual([`github-token b.tgz!big.py:1 ${ghp}`, "aws-access-key-id b.tgz!next.py:1 AKIA**************YZ"]);
    expect(r.notes).toEqual(["b.tgz: member big.py is larger than maxMemberBytes (1000); only its first bytes were scanned"]);
  });

  it("maxImageBytes: once spent, one note where it ran out and later archives stay shut", async () => {
    const one = await tarGz({ "a.py": `T = "${GHP}"\n`, "pad.txt": "p".repeat(5000) });
    const budget = gunzipSync(one).length + 1000; // room for the first tar, not for the second
    const r = scan({ "1.tgz": one, "2.tgz": one, "plain.py": `K = "${AKIA}"\n` }, { unpack: { maxImageBytes: budget } });
    // The second stream is stopped before any of its bytes reach the scan.
    expect(r.findings).toEqual([`github-token 1.tgz!a.py:1 ${ghp}`, "aws-access-key-id plain.py:1 AKIA**************YZ"]);
    expect(r.notes).toEqual([`2.tgz: the image's unpack budget (maxImageBytes, ${budget} bytes) is spent: this archive and later ones are not fully unpacked`]);
  });

  it("maxZipBytes: a zip-named file over it gets a note; a zip-based data format over it is skipped quietly", () => {
    const z = zip({ "a.py": `T = "${GHP}"\n`, "pad.txt": Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251)) }, 0);
    const r = scan({ "lib/x.whl": z, "models/weights.bin": z }, { unpack: { maxZipBytes: 2000 } });
    expect(r.findings).toEqual([]);
    expect(r.notes).toEqual([`lib/x.whl: zip of ${z.length} bytes is larger than maxZipBytes (2000); its members were not scanned`]);
  });

  it("maxRatio: a stream far more compressible than text is stopped as a bomb", () => {
    const r = scan({ "logs.gz": gzip("a".repeat(4 * 1024 * 1024)), "z.zip": zip({ "a.txt": "a".repeat(4 * 1024 * 1024) }) }, { unpack: { maxRatio: 50 } });
    expect(r.notes).toEqual([
      expect.stringMatching(/^logs\.gz: compression ratio over 50:1 after \d+ bytes, a likely decompression bomb/),
      expect.stringMatching(/^z\.zip: compression ratio over 50:1 after \d+ bytes, a likely decompression bomb/),
    ]);
  });

  it("a file not named like a zip is unpacked by its magic up to 4 MiB only", () => {
    const small = zip({ "a.py": `T = "${GHP}"\n` });
    const big = zip({ "a.py": `T = "${GHP}"\n`, "weights": Buffer.alloc(5 * 1024 * 1024, 1) }, 0);
    const r = scan({ "data/small.dat": small, "data/big.dat": big, "data/big.zip": big });
    expect(r.findings).toEqual([`github-token data/small.dat!a.py:1 ${ghp}`, `github-token data/big.zip!a.py:1 ${ghp}`]);
    expect(r.notes).toEqual([]);
  });

  it("a file with a zip's magic but no central directory and no zip name is only binary", () => {
    const r = scan({ "models/pytorch_model.bin": Buffer.concat([Buffer.from("PK\x03\x04"), Buffer.alloc(5000, 3)]) });
    expect(r.notes).toEqual([]);
    expect(r.stats).toMatchObject({ archives: 1, filesScanned: 0 });
  });

  it("keeps the layer on the note", () => {
    const scanner = createSecretScanner({ rules: defaultRuleSet() });
    feed(scanner, "x.zip", Buffer.concat([Buffer.from("PK\x03\x04"), Buffer.alloc(100)]));
    expect(scanner.notes()).toEqual([{ layer: LAYER, path: "x.zip", message: "not a readable zip: no end of central directory (truncated or corrupt)" }]);
  });
});
