/** The registry of checks: static image checks here, runtime checks from ./runtime. */
import { archiveIntegrityCheck } from "./image/archive-integrity.js";
import { buildSecretNotLeakedCheck } from "./image/build-secret-not-leaked.js";
import { bytecodeCompiledCheck } from "./image/bytecode-compiled.js";
import { dependencyLayerCacheCheck } from "./image/dependency-layer-cache.js";
import { execFormCheck } from "./image/exec-form.js";
import { forbiddenFilesCheck } from "./image/forbidden-files.js";
import { healthcheckCheck } from "./image/healthcheck.js";
import { noDevDependenciesCheck } from "./image/no-dev-dependencies.js";
import { noSecretsCheck } from "./image/no-secrets.js";
import { nonRootCheck, userFiles } from "./image/non-root.js";
import { sizeBudgetCheck } from "./image/size-budget.js";
import { runtimeChecks } from "./runtime/index.js";
import type { Check } from "./types.js";

export { resolveUser } from "./image/non-root.js";

/** Checks that judge the image tarball, the secret scan, the project facts and the cache builds. */
export const imageChecks: Check[] = [
  nonRootCheck,
  execFormCheck,
  healthcheckCheck,
  noSecretsCheck,
  buildSecretNotLeakedCheck,
  forbiddenFilesCheck,
  noDevDependenciesCheck,
  bytecodeCompiledCheck,
  sizeBudgetCheck,
  dependencyLayerCacheCheck,
  archiveIntegrityCheck,
];

/** Every check, in report order. */
export const allChecks: Check[] = [...imageChecks, ...runtimeChecks];

/** Image paths whose content the checks read: pass as `capture` to readImage. */
export const capturePaths: string[] = [...userFiles];
