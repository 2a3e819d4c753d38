/**
 * Layer 5, the final one: a whiteout deleting app/.npmrc, so one plant sits in a file deleted later.
 */
import { APP_UID } from "../constants.js";
import type { LayerPlan } from "../layer-writer.js";

export function finalLayer(): LayerPlan {
  return {
    createdBy: "RUN /bin/sh -c rm -f /app/.npmrc # buildkit",
    share: 0,
    async generate(w) {
      w.owner = { uid: APP_UID, gid: APP_UID };
      await w.dir("app");
      await w.whiteout("app/.npmrc");
    },
  };
}
