/**
 * Every image the verifier itself pulls, in one place. The Dockerfile's own FROM lines are the user's;
 * these are the verifier's. Each is settable in verify.yaml (`images.<name>`), and the functions that use
 * one also take it as an argument. Behind a registry mirror (air-gapped CI), these names are what the
 * mirror must serve; see docs/dagger.md.
 */
export const DEFAULT_IMAGES = {
  /**
   * Compiles the PID 1 harness (gcc -static). The base the production Dockerfile already builds on, with
   * Debian's gcc added, so verifying pulls no image the build did not; an Alpine image works too.
   */
  harnessBuilder: "python:3.12-slim",
  /** Runs hadolint and shellcheck from their PyPI wheels (the module's `lint`). */
  lintPython: "python:3.12-slim",
  /** Runs tsc and eslint after `npm ci` (the module's `lint`). */
  lintNode: "node:20-bookworm-slim",
  /** The throwaway database of the module's `test-integration`. */
  postgres: "postgres:16-alpine",
} as const;

export type ImageName = keyof typeof DEFAULT_IMAGES;
export type Images = Record<ImageName, string>;
