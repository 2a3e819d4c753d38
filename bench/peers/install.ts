/**
 * Install the peer secret scanners the benchmark compares against, at pinned versions, with `go install`
 * into a bin directory (the benchmark uses `.cache/bench/bin`), built the way each project builds its own
 * releases (build tags, GOEXPERIMENT). A binary already there is reused only when `go version -m` shows the
 * pinned module version and build tags. When a peer cannot be installed the result says why in one line,
 * so the benchmark can print that row instead of dropping it.
 */
import { firstLine, lastLine } from "../../src/text.js";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { PlacedFinding } from "../lib/findings.js";

export type PeerName = "gitleaks" | "gitleaks-plain" | "trivy";

/** Outcome of installPeer; installCommand says how the binary was built (for the report). */
export type PeerInstall =
  | { ok: true; bin: string; version: string; module: string; installCommand: string }
  | { ok: false; reason: string };

interface PeerSpec {
  /** Name of the binary go install writes (each peer gets its own folder under binDir). */
  binary: string;
  /** Module path as `go version -m` prints it on its `mod` line. */
  module: string;
  /** Package path passed to `go install` (the main package, which may sit below the module root). */
  pkg: string;
  version: string;
  /** Build tags, as the project's own release builds use them. */
  tags: string[];
  /** Extra environment for `go install`. */
  env: Record<string, string>;
  installTimeoutMs: number;
}

export const PEERS: Record<PeerName, PeerSpec> = {
  gitleaks: {
    binary: "gitleaks",
    module: "github.com/zricethezav/gitleaks/v8",
    pkg: "github.com/zricethezav/gitleaks/v8",
    version: "v8.30.1",
    // gitleaks' release binaries (.goreleaser.yml) are built with -tags gore2regex: RE2 (go-re2, via wazero)
    // instead of Go's regexp. A plain `go install` gets the stdlib engine, about 5x slower on a Python base
    // image (18.8 s vs 3.5 s here) with the same findings; benchmarking that would tune gitleaks below its
    // documented default, so build it the way its releases are built.
    tags: ["gore2regex"],
    env: {},
    installTimeoutMs: 5 * 60_000,
  },
  // What the issue's literal `go install ...@version` gives: Go's standard regexp, about 5x slower than the
  // releases. Shown for reference; the targets are judged against the release-equivalent build above.
  "gitleaks-plain": {
    binary: "gitleaks",
    module: "github.com/zricethezav/gitleaks/v8",
    pkg: "github.com/zricethezav/gitleaks/v8",
    version: "v8.30.1",
    tags: [],
    env: {},
    installTimeoutMs: 5 * 60_000,
  },
  trivy: {
    binary: "trivy",
    module: "github.com/aquasecurity/trivy",
    pkg: "github.com/aquasecurity/trivy/cmd/trivy",
    version: "v0.74.0",
    tags: [],
    // trivy v0.74.0 imports encoding/json/v2, which Go (1.25, 1.26) only builds behind the jsonv2
    // experiment; without it `go install` fails with "build constraints exclude all Go files". Its release
    // builds (goreleaser.yml) set the same GOEXPERIMENT and no build tags.
    env: { GOEXPERIMENT: "jsonv2" },
    installTimeoutMs: 15 * 60_000,
  },
};

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Set when the command could not start at all (e.g. ENOENT). */
  spawnError?: NodeJS.ErrnoException;
}

/** Run a command with a bound; on timeout its whole process group is killed (go install forks compilers). */
function runBounded(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs: number }): Promise<RunResult> {
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (b: Buffer) => { stdout = (stdout + b.toString("utf8")).slice(-1 << 20); });
    child.stderr.on("data", (b: Buffer) => { stderr = (stderr + b.toString("utf8")).slice(-64 << 10); });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, opts.timeoutMs);
    child.on("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      done({ code: null, stdout, stderr, timedOut, spawnError: e });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr, timedOut });
    });
  });
}


/** `go version -m` of a binary: the module version and build tags it was built with (undefined: not that module). */
async function builtWith(bin: string, module: string): Promise<{ version: string; tags: string } | undefined> {
  const r = await runBounded("go", ["version", "-m", bin], { timeoutMs: 30_000 });
  if (r.code !== 0) return undefined;
  let version: string | undefined;
  let tags = "";
  for (const line of r.stdout.split("\n")) {
    const [kind, path, v] = line.trim().split(/\s+/);
    if (kind === "mod" && path === module) version = v;
    if (kind === "build" && path?.startsWith("-tags=")) tags = path.slice("-tags=".length);
  }
  return version === undefined ? undefined : { version, tags };
}

function isPinned(built: { version: string; tags: string } | undefined, spec: PeerSpec): boolean {
  return built?.version === spec.version && built.tags === spec.tags.join(",");
}

function installCommand(spec: PeerSpec): string {
  const env = Object.entries(spec.env).map(([k, v]) => `${k}=${v} `).join("");
  const tags = spec.tags.length > 0 ? `-tags ${spec.tags.join(",")} ` : "";
  return `${env}go install ${tags}${spec.pkg}@${spec.version}`;
}

/** Install (or reuse) one peer scanner in binDir at its pinned version. Never throws. */
export async function installPeer(peer: PeerName, binDir: string): Promise<PeerInstall> {
  const spec = PEERS[peer];
  const pinned = `${spec.pkg}@${spec.version}`;
  const goCheck = await runBounded("go", ["version"], { timeoutMs: 30_000 });
  if (goCheck.spawnError?.code === "ENOENT") {
    return { ok: false, reason: `${peer} not installed: no \`go\` on PATH; install Go (https://go.dev/dl/) and rerun, the benchmark builds it with \`${installCommand(spec)}\`` };
  }
  if (goCheck.code !== 0) {
    return { ok: false, reason: `${peer} not installed: \`go version\` failed (${lastLine(goCheck.stderr).slice(0, 300) || goCheck.spawnError?.message || `exit ${goCheck.code}`}); fix the Go toolchain and rerun` };
  }

  // GOBIN must be absolute.
  const dir = resolve(binDir, peer);
  const bin = join(dir, spec.binary);
  if (existsSync(bin) && isPinned(await builtWith(bin, spec.module), spec)) {
    return { ok: true, bin, version: spec.version, module: spec.module, installCommand: installCommand(spec) };
  }

  // An older layout kept the binaries directly in binDir: a file where this peer's folder goes is removed.
  if ((await stat(dir).catch(() => undefined))?.isFile()) await rm(dir);
  await mkdir(dir, { recursive: true });
  // Run outside any Go module or workspace so nothing local changes what `go install pkg@version` builds.
  const tagArgs = spec.tags.length > 0 ? ["-tags", spec.tags.join(",")] : [];
  const cmd = installCommand(spec);
  const r = await runBounded("go", ["install", ...tagArgs, pinned], {
    cwd: tmpdir(),
    env: { ...process.env, ...spec.env, GOBIN: dir, GOWORK: "off" },
    timeoutMs: spec.installTimeoutMs,
  });
  if (r.timedOut) {
    return { ok: false, reason: `${peer} not installed: \`${cmd}\` did not finish within ${spec.installTimeoutMs / 60_000} min; run it by hand with GOBIN=${dir} and rerun` };
  }
  if (r.code !== 0) {
    const why = lastLine(r.stderr).slice(0, 300) || r.spawnError?.message || `exit ${r.code}`;
    return { ok: false, reason: `${peer} not installed: \`${cmd}\` failed: ${why}; check network access to the Go module proxy and the Go version` };
  }
  const got = await builtWith(bin, spec.module);
  if (!isPinned(got, spec)) {
    const what = got ? `${got.version} tags "${got.tags}"` : "(unknown)";
    return { ok: false, reason: `${peer} not installed: ${bin} reports ${spec.module} ${what} after installing ${spec.version}; remove it and rerun` };
  }
  return { ok: true, bin, version: spec.version, module: spec.module, installCommand: cmd };
}

/** A peer's JSON report, parsed; one line naming the peer and its last stderr line when it is missing or broken. */
export async function readPeerReport(peer: string, file: string, stderrTail: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as unknown;
  } catch (e) {
    throw new Error(`${peer} wrote no readable JSON report (${firstLine(e)}); stderr: ${lastLine(stderrTail)}`);
  }
}

/** One measured run of a peer scanner over an image, findings reduced to their place (never the value). */
export interface PeerRun {
  wallMs: number;
  peakRssBytes: number;
  findings: PlacedFinding[];
}
