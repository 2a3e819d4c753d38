/**
 * build-secret-not-leaked: the value of no build secret (RUN --mount=type=secret), nor its base64 or hex
 * form, is anywhere in the image: any file of any layer (deleted ones, archive members, .pyc constants,
 * UTF-16 text and binaries included), Env, labels or history. verify knows each value because it handed
 * it to the build, so a leak is found whatever the secret's format (the leak canary, src/secrets/canary.ts).
 */
import { isCanaryRule, CANARY_PREFIX } from "../../secrets/canary.js";
import type { Check, Evidence, Judgement } from "../types.js";
import { capLines } from "./describe.js";
import { findingLine } from "./no-secrets.js";

function judge({ secrets, buildSecrets }: Evidence): Judgement {
  if (!secrets || !buildSecrets) throw new Error("secrets or build secrets evidence missing");
  const leaks = secrets.filter((s) => isCanaryRule(s.ruleId));
  const unsearched = buildSecrets.tooShort.map((id) => `not searched: "${id}" is shorter than 8 characters (it would match by chance)`);
  if (leaks.length > 0) {
    const ids = [...new Set(leaks.map((s) => s.ruleId.slice(CANARY_PREFIX.length)))];
    return {
      verdict: "fail",
      summary: `build secret(s) ${ids.map((id) => `"${id}"`).join(", ")} found in the image, ${leaks.length} place(s)`,
      evidence: capLines([...leaks.map(findingLine), ...unsearched], 30),
      fix: "rotate the secret; a build step must use it without writing it (or anything made from it: .pyc, archives, encoded copies) into a layer",
    };
  }
  const searched = buildSecrets.searched.map((id) => `"${id}"`).join(", ");
  return {
    verdict: unsearched.length && !searched ? "warn" : "pass",
    summary: searched ? `no trace of build secret(s) ${searched} in any layer or in the image config` : "no build secret long enough to search for",
    evidence: [`searched for each value, its base64 (both alphabets, every alignment) and hex forms`, ...unsearched],
    ...(unsearched.length && !searched ? { fix: "use build secrets of at least 8 characters, or check the image by hand" } : {}),
  };
}

/** The build-secret-not-leaked check. */
export const buildSecretNotLeakedCheck: Check = {
  id: "build-secret-not-leaked",
  title: "No build secret left in the image",
  severity: "critical",
  needs: ["secrets", "buildSecrets"],
  judge,
};
