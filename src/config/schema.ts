/**
 * verify.yaml: every setting of the verifier, validated with clear errors that name the bad key.
 * With no file at all, the defaults fit this repository's api/.
 */
import { z } from "zod";
import { DEFAULT_IMAGES } from "./images.js";

const secretRule = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, "use letters, digits, '.', '_' or '-'"),
  description: z.string().optional(),
  /** RE2 syntax (as gitleaks): linear-time, so a user pattern cannot hang the scan. */
  regex: z.string().optional(),
  /** Only scan files whose path matches this RE2 pattern. */
  path: z.string().optional(),
  /** Cheap prefilter: the rule runs only on lines containing one of these (case-insensitive). */
  keywords: z.array(z.string()).default([]),
  /** Capture group holding the secret (default: the whole match, or group 1 when present). */
  secretGroup: z.number().int().min(0).optional(),
  /** Minimum Shannon entropy (bits per char) of the secret. */
  entropy: z.number().min(0).max(8).optional(),
});

const allowlist = z.strictObject({
  /** RE2 patterns of file paths never scanned. */
  paths: z.array(z.string()).default([]),
  /** RE2 patterns; a match whose secret matches one is dropped. */
  regexes: z.array(z.string()).default([]),
  /** Finding fingerprints to accept (from a previous report). */
  fingerprints: z.array(z.string()).default([]),
  /** Words that mark a match as a placeholder (e.g. "example"). */
  stopwords: z.array(z.string()).default([]),
});

export const verifyConfigSchema = z.strictObject({
  /** Build context, relative to the repository root. */
  context: z.string().min(1).default("api"),
  /**
   * Directory holding the Python project's metadata (pyproject.toml and its lock, a Pipfile, or
   * requirements*.txt: where the dev dependencies are declared), relative to the repository root;
   * default: the build context. A directory with none of them skips no-dev-dependencies.
   */
  project: z.string().min(1).optional(),
  /** Dockerfile, relative to the context. */
  dockerfile: z.string().min(1).default("Dockerfile.prod"),
  /**
   * The cache check writes this file (relative to the context) in a second build: a harmless,
   * source-only change that must not invalidate the dependency layer.
   */
  cacheProbeFile: z.string().min(1).default("app/_verify_cache_probe.py"),
  /** Build target (stage name); empty for the last stage. */
  target: z.string().default("runtime"),
  buildArgs: z.record(z.string(), z.string()).default({}),
  /**
   * Build secrets (RUN --mount=type=secret,id=<id>): id -> where the value is, `env:NAME` or `file:path`
   * (relative to the repository root). Handed to the build, and searched for in the image (the leak canary).
   * Through Dagger, give them as --build-secret instead (the module cannot read the caller's host).
   */
  buildSecrets: z
    .record(
      z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "use letters, digits, '.', '_' or '-' (the id in RUN --mount=type=secret,id=...)"),
      z.string().regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$/, "write env:NAME or file:path"),
    )
    .default({}),
  /** The port the app listens on inside the container. */
  port: z.number().int().min(1).max(65535).default(8000),
  healthPath: z.string().startsWith("/", "must start with '/'").default("/api/v1/health"),
  /** Environment the app needs to start: name -> harmless test value. Each is also a "required" variable. */
  requiredEnv: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "not an environment variable name"), z.string())
    .default({ DATABASE_URL: "postgresql://verify:verify@127.0.0.1:5432/verify" }),
  /** Extra environment for the serve scenario only (not required). */
  extraEnv: z.record(z.string(), z.string()).default({}),
  expectedUid: z.number().int().min(1).default(1001),
  /** Seconds from SIGTERM until SIGKILL, as Kubernetes' terminationGracePeriodSeconds. */
  gracePeriodSeconds: z.number().positive().max(600).default(30),
  /** Seconds to wait for the health endpoint to answer 200. */
  healthTimeoutSeconds: z.number().positive().max(600).default(30),
  /** Seconds a start without a required variable may take to exit. */
  missingEnvTimeoutSeconds: z.number().positive().max(600).default(15),
  sizeBudgetMB: z.number().positive().default(400),
  maxLayers: z.number().int().positive().default(30),
  /** Names of [project.optional-dependencies] extras that are development-only. */
  devExtras: z.array(z.string()).default([]),
  /** Distributions that must never be installed, besides the dev group. */
  forbiddenPackages: z.array(z.string()).default([]),
  /** Glob patterns (on paths without a leading "/") that must not exist in the final filesystem. */
  forbiddenPaths: z
    .array(z.string())
    .default([
      "**/bin/uv",
      "**/bin/uvx",
      "root/.cache/pip/**",
      "**/.cache/pip/**",
      "root/.cache/uv/**",
      "**/.git/**",
      "**/.env",
      "var/lib/apt/lists/*_Packages*",
    ]),
  /** The images the verifier pulls itself (see src/config/images.ts); point them at a mirror or a pinned digest. */
  images: z
    .strictObject({
      harnessBuilder: z.string().min(1).default(DEFAULT_IMAGES.harnessBuilder),
      lintPython: z.string().min(1).default(DEFAULT_IMAGES.lintPython),
      lintNode: z.string().min(1).default(DEFAULT_IMAGES.lintNode),
      postgres: z.string().min(1).default(DEFAULT_IMAGES.postgres),
    })
    .default({ ...DEFAULT_IMAGES }),
  secrets: z
    .strictObject({
      rules: z.array(secretRule).default([]),
      allowlist: allowlist.default({ paths: [], regexes: [], fingerprints: [], stopwords: [] }),
      /** A gitleaks TOML config to load rules and allowlists from (relative to the repository root). */
      gitleaksConfig: z.string().optional(),
      /** Use the built-in rules (default true). */
      builtinRules: z.boolean().default(true),
    })
    .default({ rules: [], allowlist: { paths: [], regexes: [], fingerprints: [], stopwords: [] }, builtinRules: true }),
});

export type VerifyConfig = z.infer<typeof verifyConfigSchema>;
export type SecretRuleConfig = z.infer<typeof secretRule>;
export type AllowlistConfig = z.infer<typeof allowlist>;

/** The defaults, as used when there is no verify.yaml. */
export const defaultConfig = (): VerifyConfig => verifyConfigSchema.parse({});
