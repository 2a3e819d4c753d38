/**
 * non-root: the image runs as a numeric, non-zero UID equal to the expected one, so Kubernetes'
 * `runAsNonRoot` can verify it without reading /etc/passwd.
 */
import type { Check, Evidence, Judgement } from "../types.js";

/** The image files this check reads; the reader must capture them. */
export const userFiles = ["etc/passwd", "etc/group"];

/** A resolved user, or why it could not be resolved. */
export type ResolvedUser = { uid: number; gid: number } | { error: string };

const NUMERIC = /^\d+$/;

/**
 * Resolve a Docker `USER` value (`name`, `uid`, `name:group`, `uid:gid`) as the engine does: names
 * through etc/passwd and etc/group, a numeric user missing from etc/passwd gets gid 0.
 */
export function resolveUser(user: string, passwd?: Buffer, group?: Buffer): ResolvedUser {
  const [userPart, groupPart] = splitUser(user.trim());
  if (userPart === "") return { uid: 0, gid: 0 };
  const users = parseDb(passwd);
  const row = NUMERIC.test(userPart)
    ? users.find((r) => r[2] === String(Number(userPart)))
    : users.find((r) => r[0] === userPart);
  if (!NUMERIC.test(userPart) && !row) {
    return { error: `user "${userPart}" is not in the image's etc/passwd` };
  }
  const uid = NUMERIC.test(userPart) ? Number(userPart) : Number(row?.[2]);
  if (groupPart === undefined) return { uid, gid: row ? Number(row[3]) : 0 };
  if (NUMERIC.test(groupPart)) return { uid, gid: Number(groupPart) };
  const groupRow = parseDb(group).find((r) => r[0] === groupPart);
  if (!groupRow) return { error: `group "${groupPart}" is not in the image's etc/group` };
  return { uid, gid: Number(groupRow[2]) };
}

function splitUser(user: string): [string, string | undefined] {
  const colon = user.indexOf(":");
  return colon < 0 ? [user, undefined] : [user.slice(0, colon), user.slice(colon + 1)];
}

/** Rows of a colon-separated database (passwd, group), comments and malformed lines dropped. */
function parseDb(content?: Buffer): string[][] {
  if (!content) return [];
  return content
    .toString("utf8")
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("#"))
    .map((line) => line.split(":"))
    .filter((fields) => fields.length >= 4 && NUMERIC.test(fields[2]));
}

function judge({ image, config }: Evidence): Judgement {
  if (!image) throw new Error("image evidence missing");
  const user = image.config.user.trim();
  const expected = config.expectedUid;
  const numericFix = `end the final stage with \`USER ${expected}:${expected}\` (numeric, so runAsNonRoot can verify it)`;
  const lines = [`config User: ${user === "" ? "(not set)" : JSON.stringify(user)}`];
  if (user === "") {
    return { verdict: "fail", summary: "no USER is set: the app runs as root (uid 0)", evidence: lines, fix: numericFix };
  }
  const resolved = resolveUser(user, image.captured.get("etc/passwd")?.content, image.captured.get("etc/group")?.content);
  if ("error" in resolved) {
    return { verdict: "fail", summary: `USER ${JSON.stringify(user)} cannot be resolved: ${resolved.error}`, evidence: lines, fix: numericFix };
  }
  lines.push(`resolves to uid ${resolved.uid}, gid ${resolved.gid}`);
  if (resolved.uid === 0) {
    return { verdict: "fail", summary: `USER ${JSON.stringify(user)} is root (uid 0)`, evidence: lines, fix: numericFix };
  }
  const [userPart] = splitUser(user);
  if (!NUMERIC.test(userPart)) {
    const fix = `write the user numerically: \`USER ${resolved.uid}:${resolved.gid}\` (Kubernetes runAsNonRoot cannot verify a name)`;
    return { verdict: "fail", summary: `USER ${JSON.stringify(user)} is a name, not a numeric UID`, evidence: lines, fix };
  }
  if (resolved.uid !== expected) {
    const summary = `runs as uid ${resolved.uid}, expected ${expected}`;
    return { verdict: "fail", summary, evidence: lines, fix: `use \`USER ${expected}:${expected}\` or set expectedUid: ${resolved.uid} in verify.yaml` };
  }
  return { verdict: "pass", summary: `runs as numeric uid ${resolved.uid}`, evidence: lines };
}

/** The non-root check. */
export const nonRootCheck: Check = {
  id: "non-root",
  title: "Runs as a numeric non-root user",
  severity: "high",
  needs: ["image"],
  judge,
};
