import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../support/cli.js";
import { buildImage, type SyntheticImage, type SyntheticImageSpec } from "../support/synthetic-image.js";
import { describeWithDocker } from "../support/describe-docker.js";
import { docker, dockerOk, uniqueName } from "../support/docker.js";

const API = join(import.meta.dirname, "../../api");
const SP = "app/.venv/lib/python3.12/site-packages";
// Assembled at run time so this file itself holds no secret-looking literal.
const PLANTED_KEY = ["AKIA", "QZ7X", "K4VM", "P2WN", "R8TB"].join("");

const run = (...args: string[]): Promise<CliResult> => runCli(args);
const runWith = (env: Record<string, string>, ...args: string[]): Promise<CliResult> => runCli(args, { env });

const passwd = "root:x:0:0:root:/root:/bin/sh\napp:x:1001:1001::/app:/usr/sbin/nologin\n";
const good: SyntheticImageSpec = {
  format: "docker-archive",
  layers: [
    { createdBy: "FROM python:3.12-slim", files: [{ path: "etc/passwd", content: passwd }, { path: "etc/group", content: "root:x:0:\napp:x:1001:\n" }] },
    {
      createdBy: "RUN uv sync --frozen --no-dev",
      files: [
        { path: `${SP}/fastapi-0.115.0.dist-info/METADATA`, content: "Name: fastapi\n" },
        { path: `${SP}/fastapi/__init__.py`, content: "x = 1\n" },
        { path: `${SP}/fastapi/__pycache__/__init__.cpython-312.pyc`, content: "\0pyc" },
      ],
    },
    { createdBy: "COPY app/ /app/app/", files: [{ path: "app/app/main.py", content: "app = None\n" }] },
  ],
  config: {
    user: "1001:1001",
    cmd: ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"],
    healthcheck: { Test: ["CMD", "python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/api/v1/health')"] },
  },
};
const bad: SyntheticImageSpec = {
  ...good,
  layers: [
    ...good.layers,
    { createdBy: "COPY . /app", files: [{ path: "app/.env", content: `AWS_ACCESS_KEY_ID=${PLANTED_KEY}\n` }, { path: `${SP}/pytest-9.2.0.dist-info/METADATA`, content: "Name: pytest\n" }] },
    { createdBy: "RUN rm /app/.env", whiteouts: ["app/.env"] },
  ],
  config: { ...good.config, user: "root", cmd: ["/bin/sh", "-c", "uvicorn app.main:app"] },
};

let dir: string;
let images: SyntheticImage[] = [];
let goodTar: string;
let badTar: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cli-test-"));
  images = await Promise.all([buildImage(good), buildImage(bad)]);
  [goodTar, badTar] = images.map((i) => i.path);
});
afterAll(async () => {
  await Promise.all(images.map((i) => i.cleanup()));
  await rm(dir, { recursive: true, force: true });
});

describe("image-verify inspect", () => {
  it("exits 0 on a good image, printing the table", async () => {
    const r = await run("inspect", goodTar);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PASS {2}non-root /m);
    expect(r.stdout).toMatch(/^SKIP {2}no-dev-dependencies .*not gathered: project \(give --project <dir with pyproject\.toml, requirements\*\.txt or Pipfile>\)$/m);
    expect(r.stdout).toMatch(/^SKIP {2}dependency-layer-cache .*not gathered: cache \(it needs two builds of the sources, as dagger call verify does\)$/m);
    expect(r.stdout.trimEnd().split("\n").at(-1)).toBe("8 passed, 0 failed, 0 warnings, 3 skipped");
  });

  it("exits 1 on a bad image, with findings redacted in every format", async () => {
    const r = await run("inspect", badTar, "--project", API, "--format", "json");
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    const verdict = (id: string) => doc.results.find((x: { id: string }) => x.id === id).verdict;
    for (const id of ["non-root", "exec-form", "no-secrets", "forbidden-files", "no-dev-dependencies"]) expect(verdict(id)).toBe("fail");
    expect(doc.secrets[0]).toMatchObject({ location: { kind: "file", path: "app/.env", line: 1 }, shadowed: true });
    for (const format of ["table", "json", "junit", "sarif"]) {
      const out = await run("inspect", badTar, "--format", format);
      expect(out.code).toBe(1);
      expect(out.stdout + out.stderr).not.toContain(PLANTED_KEY);
    }
  });

  it("writes the report to --output", async () => {
    const out = join(dir, "report.xml");
    const r = await run("inspect", goodTar, "--format", "junit", "--output", out);
    expect(r).toMatchObject({ code: 0, stdout: "" });
    expect(await readFile(out, "utf8")).toContain('<testsuite name="image-verify" tests="11" failures="0"');
  });

  it.each([
    [["inspect", "/no/such.tar"], "image-verify: /no/such.tar: no such file: give the path of an image tarball (docker save, OCI layout)"],
    [["inspect"], "image-verify: no tarball given: use image-verify inspect <tarball>, or --image <name> for an image of the local Docker engine"],
    [["inspect", "GOOD", "--image", "x:1"], "image-verify: both a tarball and --image given: pick one"],
    [["scan", "x.tar"], 'image-verify: unknown command "scan": use image-verify inspect <tarball>'],
    [["inspect", "GOOD", "--format", "xml"], 'image-verify: unknown format "xml": use one of table, json, junit, sarif'],
    [["inspect", "GOOD", "--bogus"], /^image-verify: Unknown option '--bogus'.*: see image-verify --help$/],
    [["inspect", "GOOD", "--platform", "amd64"], 'image-verify: bad platform "amd64": use os/arch[/variant], e.g. linux/amd64'],
  ])("exits 2 with one line for bad input %j", async (args, line) => {
    const r = await run(...args.map((a) => (a === "GOOD" ? goodTar : a)));
    expect(r.code).toBe(2);
    if (typeof line === "string") expect(r.stderr).toBe(`${line}\n`);
    else expect(r.stderr.trimEnd()).toMatch(line);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stdout).toBe("");
  });

  it("exits 2 on a file that is not an image, a bad config, or a project directory that does not exist", async () => {
    const notTar = join(dir, "not-an-image.tar");
    await writeFile(notTar, "hello, this is not a tarball\n".repeat(50));
    const cfg = join(dir, "verify.yaml");
    await writeFile(cfg, "sizeBudgetMB: lots\n");
    for (const [args, pattern] of [
      [["inspect", notTar], /^image-verify: .*not-an-image\.tar.*: .+\n$/],
      [["inspect", goodTar, "--config", cfg], /^image-verify: .*verify\.yaml: 'sizeBudgetMB': .+\n$/],
      [["inspect", goodTar, "--project", join(dir, "no-such-project")], /^image-verify: .*no-such-project: cannot read it \(ENOENT\): pass the project directory .+\n$/],
    ] as const) {
      const r = await run(...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("skips no-dev-dependencies, and runs the rest, for a project directory without Python metadata", async () => {
    const empty = await mkdtemp(join(dir, "not-python-"));
    const r = await run("inspect", goodTar, "--project", empty);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`SKIP  no-dev-dependencies      No development dependencies installed: not gathered: project (no Python project metadata found in ${empty}: none of pyproject.toml, requirements*.txt, Pipfile)`);
    expect(r.stdout.trimEnd().split("\n").at(-1)).toBe("8 passed, 0 failed, 0 warnings, 3 skipped");
  });

  it("prints help", async () => {
    const r = await run("--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: image-verify inspect <tarball>");
  });
});

describeWithDocker("image-verify inspect --image (local Docker engine)", () => {
  let imageId = "";
  beforeAll(async () => {
    // The synthetic archive names itself synthetic:latest; a tag of our own keeps parallel runs apart.
    const loaded = (await dockerOk(["load", "-q", "-i", badTar], 120_000)).trim().replace(/^Loaded image( ID)?: /, "");
    imageId = uniqueName("image-verify-cli");
    await dockerOk(["tag", loaded, imageId], 30_000);
  });
  afterAll(async () => {
    if (imageId) await docker(["rmi", "-f", imageId], 60_000);
  });

  it("judges an image of the engine as its saved tarball, with the same exit code, and leaves no copy behind", async () => {
    const temp = await mkdtemp(join(dir, "tmp-"));
    const r = await runWith({ TMPDIR: temp, DOCKER: "/usr/bin/docker" }, "inspect", "--image", imageId, "--format", "json");
    expect(r.code, r.stderr).toBe(1);
    const doc = JSON.parse(r.stdout);
    const fromTarball = JSON.parse((await run("inspect", badTar, "--format", "json")).stdout);
    const verdicts = (d: { results: { id: string; verdict: string }[] }) => d.results.map((x) => `${x.id}:${x.verdict}`);
    expect(verdicts(doc)).toEqual(verdicts(fromTarball));
    expect(doc.image).toBe(imageId);
    expect(r.stdout + r.stderr).not.toContain(PLANTED_KEY);
    expect((await readdir(temp)).filter((name) => name.startsWith("image-verify-save-"))).toEqual([]);
  });

  it("exits 2 with one line for an image the engine does not have", async () => {
    const r = await runWith({ DOCKER: "/usr/bin/docker" }, "inspect", "--image", "image-verify-no-such-image:0");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^image-verify: docker save image-verify-no-such-image:0 failed: .+: check the name with docker image ls\n$/);
  });
});
