/**
 * expect.yaml validation (no engine): every fixture folder parses, and a malformed file gets one line per
 * problem naming the folder's file and the key.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ExpectError, loadFixtures, parseExpect } from "./expect.js";

const WHERE = "tests/fixtures/broken/x/expect.yaml";
const problems = (text: string): string[] => {
  try {
    parseExpect(text, WHERE);
  } catch (error) {
    expect(error).toBeInstanceOf(ExpectError);
    return (error as Error).message.split("\n");
  }
  throw new Error("expected an ExpectError");
};

describe("expect.yaml", () => {
  it("parses every fixture folder of the corpus: each fails or skips a check, ends with an error, or says it passes every check", async () => {
    const fixtures = await loadFixtures(path.resolve(import.meta.dirname, "../fixtures/broken"));
    expect(fixtures.map((f) => f.name)).toContain("good");
    expect(fixtures.map((f) => f.name)).not.toContain("_base");
    for (const f of fixtures) {
      const judged = f.expect.fails?.length || f.expect.skips.length || f.expect.error?.length;
      expect(judged || f.expect.description.includes("every check passes"), f.name).toBeTruthy();
    }
  });

  it("normalises a single check id and a single error to lists", () => {
    const e = parseExpect("description: d\nfails: healthcheck\nevidence: { healthcheck: [no HEALTHCHECK] }\n", WHERE);
    expect(e.fails).toEqual(["healthcheck"]);
    expect(parseExpect("description: d\nerror: boom\nwithinSeconds: 3\n", WHERE).error).toEqual(["boom"]);
  });

  it("names the file and the key of an unknown check id", () => {
    expect(problems("description: d\nfails: non-rot\nevidence: { non-rot: [x] }\n")[0]).toMatch(
      /^tests\/fixtures\/broken\/x\/expect\.yaml: 'fails\.0': not a check id \(known: non-root, /,
    );
  });

  it("requires evidence for each failing check and a reason for several", () => {
    expect(problems("description: d\nfails: [non-root, runtime-uid]\nevidence: { non-root: [x] }\n")).toEqual([
      `${WHERE}: 'why': more than one failing check: say why one defect trips them all`,
      `${WHERE}: 'evidence': no evidence for runtime-uid: list substrings of its summary or evidence lines`,
    ]);
  });

  it("rejects a case that is neither a failing check nor a bad input, and unknown keys", () => {
    expect(problems("description: d\n")).toEqual([`${WHERE}: 'fails': give either fails (a check id or a list) or error (a bad-input fixture), not both or neither`]);
    expect(problems("description: d\nfails: []\nexpected: x\n")[0]).toMatch(/^tests\/fixtures\/broken\/x\/expect\.yaml: '\(top level\)': unknown key\(s\) expected/);
    expect(problems("description: d\nerror: boom\n")).toEqual([`${WHERE}: 'withinSeconds': a bad-input fixture needs a time bound`]);
  });

  it("says when the file is not YAML or not a mapping", () => {
    expect(problems("description: [unclosed\n")[0]).toMatch(/^tests\/fixtures\/broken\/x\/expect\.yaml: not valid YAML: /);
    expect(problems("- a\n")).toEqual([`${WHERE}: expected a mapping (description, fails, evidence, ...)`]);
  });
});
