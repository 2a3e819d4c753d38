/**
 * expect.yaml of a broken-image fixture: which check(s) the image must fail and the evidence that proves
 * it, or, for a bad-input fixture, the one-line error it must end with and its time bound. Validated with
 * zod; every problem is one line naming the fixture folder and the key.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { allChecks } from "../../src/checks/index.js";

/** A fixture whose expect.yaml (or folder) is malformed: one line, naming the folder and the key. */
export class ExpectError extends Error {
  override name = "ExpectError";
}

const checkIds = allChecks.map((c) => c.id) as [string, ...string[]];
const checkId = z.enum(checkIds, { error: () => `not a check id (known: ${checkIds.join(", ")})` });

/** A single value written without brackets is a list of one. */
const asList = (v: unknown): unknown => (typeof v === "string" ? [v] : v);

/** How a bad-input fixture is fed to the verifier. */
export const RUN_MODES = ["verify", "parse-config", "inspect-cli"] as const;

const expectSchema = z
  .strictObject({
    /** One line: what is broken. */
    description: z.string().min(1),
    /** The check(s) the image must fail; [] for the baseline. */
    fails: z.preprocess(asList, z.array(checkId)).optional(),
    /** Checks that must skip, saying why (the evidence they need cannot exist for this image). */
    skips: z.preprocess(asList, z.array(checkId)).default([]),
    /** Why one defect necessarily trips more than one check (required when `fails` lists several). */
    why: z.string().min(1).optional(),
    /** Per failing or skipping check: substrings that must appear in its summary or evidence lines. */
    evidence: z.partialRecord(checkId, z.array(z.string().min(1)).min(1)).default({}),
    /**
     * More evidence on one engine only, where the engines write the image differently (Dagger's
     * dockerBuild records other history, and keeps a used ARG in the config's Env). The verdicts never differ.
     */
    evidenceOn: z.partialRecord(z.enum(["docker", "dagger"]), z.partialRecord(checkId, z.array(z.string().min(1)).min(1))).default({}),
    /** verify.yaml overrides for this fixture (validated by the verifier's own schema). */
    config: z.record(z.string(), z.unknown()).default({}),
    /** Re-export the image as an OCI layout with zstd layers before it is read. */
    recompress: z.literal("zstd").optional(),
    /** Bad input: substring(s) of the one-line error the run must end with. */
    error: z.preprocess(asList, z.array(z.string().min(1)).min(1)).optional(),
    /** Bad input: what to run (default verify). */
    run: z.enum(RUN_MODES).default("verify"),
    /** Bad input: the file handed to parse-config (verify.yaml) or inspect-cli (a tarball), in the folder. */
    file: z.string().min(1).optional(),
    /** Bad input: the error must come within this many seconds. */
    withinSeconds: z.number().positive().max(600).optional(),
  })
  .superRefine((e, ctx) => {
    const issue = (key: string, message: string) => ctx.addIssue({ code: "custom", path: [key], message });
    if ((e.fails === undefined) === (e.error === undefined)) issue("fails", "give either fails (a check id or a list) or error (a bad-input fixture), not both or neither");
    if (e.error !== undefined && e.withinSeconds === undefined) issue("withinSeconds", "a bad-input fixture needs a time bound");
    if (e.run !== "verify" && e.file === undefined) issue("file", `run: ${e.run} needs the file to hand it`);
    const fails = e.fails ?? [];
    if (fails.length > 1 && !e.why) issue("why", "more than one failing check: say why one defect trips them all");
    const judged = [...fails, ...e.skips];
    for (const id of judged) if (!e.evidence[id]) issue("evidence", `no evidence for ${id}: list substrings of its summary or evidence lines`);
    for (const id of Object.keys(e.evidence)) if (!judged.includes(id)) issue("evidence", `evidence for ${id}, which is not in fails or skips`);
    for (const id of e.skips) if (fails.includes(id)) issue("skips", `${id} is in both fails and skips`);
    for (const byCheck of Object.values(e.evidenceOn)) {
      for (const id of Object.keys(byCheck ?? {})) if (!fails.includes(id)) issue("evidenceOn", `evidence for ${id}, which is not in fails`);
    }
  });

export type Expect = z.infer<typeof expectSchema>;

/** One fixture folder of tests/fixtures/broken. */
export interface Fixture {
  name: string;
  /** Absolute path of the folder (the build context). */
  dir: string;
  expect: Expect;
}

/** Parse and validate one expect.yaml's text; `where` names the file in errors. */
export function parseExpect(text: string, where: string): Expect {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ExpectError(`${where}: not valid YAML: ${String((error as Error).message).split("\n")[0]}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new ExpectError(`${where}: expected a mapping (description, fails, evidence, ...)`);
  const result = expectSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => {
    const key = i.path.map(String).join(".") || "(top level)";
    const unknown = i.code === "unrecognized_keys" ? `unknown key(s) ${i.keys.join(", ")} (known: ${Object.keys(expectSchema.shape).join(", ")})` : i.message;
    return `${where}: '${key}': ${unknown}`;
  });
  throw new ExpectError(lines.join("\n"));
}

/** Every fixture folder under `root` (folders starting with "_" are shared material, not cases). */
export async function loadFixtures(root: string): Promise<Fixture[]> {
  const entries = await readdir(root, { withFileTypes: true });
  const folders = entries.filter((e) => e.isDirectory() && !e.name.startsWith("_")).map((e) => e.name).sort();
  return Promise.all(
    folders.map(async (name) => {
      const dir = path.join(root, name);
      const where = `${path.relative(process.cwd(), dir)}/expect.yaml`;
      const text = await readFile(path.join(dir, "expect.yaml"), "utf8").catch(() => {
        throw new ExpectError(`${where}: missing: every fixture folder needs an expect.yaml`);
      });
      return { name, dir, expect: parseExpect(text, where) };
    }),
  );
}
