import type { Check } from "../types.js";
import { gracefulShutdownCheck } from "./graceful-shutdown.js";
import { healthEndpointCheck } from "./health-endpoint.js";
import { listensAllInterfacesCheck } from "./listens-all-interfaces.js";
import { missingEnvFailsFastCheck } from "./missing-env-fails-fast.js";
import { noLogFilesCheck } from "./no-log-files.js";
import { runtimeUidCheck } from "./runtime-uid.js";
import { stdoutJsonLogsCheck } from "./stdout-json-logs.js";

/** Checks that judge what the runtime scenarios observed (RunEvidence). */
export const runtimeChecks: Check[] = [
  healthEndpointCheck,
  runtimeUidCheck,
  listensAllInterfacesCheck,
  gracefulShutdownCheck,
  stdoutJsonLogsCheck,
  noLogFilesCheck,
  missingEnvFailsFastCheck,
];
