/**
 * The static half in one call: read an image tarball once, with the secret scan riding the same
 * streaming pass, and return the evidence the image checks judge. Used by verify() and by the CLI.
 */
import { markShadowed } from "./checks/image/no-secrets.js";
import { capturePaths } from "./checks/index.js";
import type { VerifyConfig } from "./config/schema.js";
import { shadowedFiles } from "./image/filesystem.js";
import { readImage } from "./image/read.js";
import type { ImageIndex } from "./image/types.js";
import { loadSecretRules } from "./secrets/load.js";
import { createSecretScanner } from "./secrets/scanner.js";
import type { UnpackOptions } from "./secrets/unpack/index.js";
import type { ScanNote, SecretFinding } from "./secrets/types.js";
import { tooShort, type CanaryValues } from "./secrets/canary.js";
import type { BuildSecretsEvidence } from "./checks/types.js";

export interface TarballEvidence {
  image: ImageIndex;
  secrets: SecretFinding[];
  /** Files and archives the scan could not finish (cut at a size cap, hostile or broken archives). */
  scanNotes: ScanNote[];
  /** Which build secrets were searched for (absent when none were given). */
  buildSecrets?: BuildSecretsEvidence;
}

export interface InspectOptions {
  config: VerifyConfig;
  /** Resolves secrets.gitleaksConfig. */
  repoRoot: string;
  platform?: string;
  /** Bounds on unpacking archives and .pyc files in the secret scan (defaults: UNPACK_DEFAULTS). */
  unpack?: UnpackOptions;
  /** Build secrets (id → value) the build was given: searched for in every form (src/secrets/canary.ts). */
  buildSecrets?: CanaryValues;
  onProgress?: (p: { layerIndex: number; layerCount: number; bytesRead: number }) => void;
}

/** Read `tarballPath` and scan every file of every layer plus the image config for secrets. */
export async function inspectTarball(tarballPath: string, options: InspectOptions): Promise<TarballEvidence> {
  const rules = await loadSecretRules(options.config.secrets, options.repoRoot);
  const canary = options.buildSecrets ?? {};
  const scanner = createSecretScanner({ rules, unpack: options.unpack, canary });
  const image = await readImage(tarballPath, {
    platform: options.platform,
    capture: capturePaths,
    visitors: [scanner.visitor],
    onProgress: options.onProgress,
  });
  const secrets = markShadowed(
    [...scanner.findings(), ...scanner.scanImageConfig(image.config, image.history, image.layers)],
    shadowedFiles(image),
  );
  maskConfigSecrets(image, secrets, scanner.maskSecrets);
  const ids = Object.keys(canary);
  const short = tooShort(canary);
  const buildSecrets = ids.length ? { searched: ids.filter((id) => !short.includes(id)), tooShort: short } : undefined;
  return { image, secrets, scanNotes: scanner.notes(), buildSecrets };
}

/**
 * Checks quote config text as evidence (a layer's created_by, Env, labels): once the scan has reported
 * what it found there, the index keeps only redacted forms, so no evidence line can leak a build arg.
 */
function maskConfigSecrets(image: ImageIndex, secrets: SecretFinding[], mask: (text: string) => string): void {
  const refs = [...image.layers, ...secrets.flatMap((s) => (s.location.layer ? [s.location.layer] : []))];
  for (const ref of refs) ref.createdBy = mask(ref.createdBy);
  for (const entry of image.history) entry.createdBy = mask(entry.createdBy);
  image.config.env = image.config.env.map(mask);
  image.config.labels = Object.fromEntries(Object.entries(image.config.labels).map(([k, v]) => [k, mask(v)]));
}
