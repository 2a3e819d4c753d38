/**
 * The generator's public shapes: its options and what it returns (layers, planted places, content mix),
 * plus the content kinds the mix counts bytes by.
 */
import type { PlantedSecret } from "../../lib/findings.js";

export interface SyntheticImageOptions {
  dir: string;
  /**
   * Target sum of the uncompressed layer tars, in MiB (default 1100): met within a few percent for large
   * targets; small ones overshoot (every dependency has its dist-info, the JS bundle is 300 KB+): 24 gives ~30.
   */
  uncompressedMiB?: number;
  /** PRNG seed (default 1). */
  seed?: number;
}

export interface SyntheticLayerInfo {
  index: number;
  diffId: string;
  digest: string;
  uncompressedBytes: number;
  files: number;
  createdBy: string;
}

/** Bytes of file content per kind, over all layers. */
export interface ContentMix {
  /** .py, .pyi, the minified JS bundle, dist-info METADATA and RECORD, scripts. */
  pythonText: number;
  /** ELF shared objects and executables. */
  extensions: number;
  pyc: number;
  /** YAML, JSON, TOML, INI, Markdown, licenses, copyright files, dpkg status, lock files. */
  configDocs: number;
  /** Incompressible binary: model weights, arrays, images, compressed docs. */
  blobs: number;
}

export interface SyntheticImage {
  /** The image tarball. */
  path: string;
  /** Sum of the uncompressed layer tar sizes. */
  uncompressedBytes: number;
  /** Sum of the gzip blob sizes. */
  storedBytes: number;
  layers: SyntheticLayerInfo[];
  planted: PlantedSecret[];
  /** Short hash of the generator version and the options; part of the file names. */
  recipe: string;
  configDigest: string;
  mix: ContentMix;
  /** Wall time of the generation that wrote the cached files. */
  generatedSeconds: number;
}

export type Category = keyof ContentMix;
export const CATEGORIES: Category[] = ["pythonText", "extensions", "pyc", "configDocs", "blobs"];
