/**
 * Planted secrets: values from the PRNG in each provider's real format (checksummed tokens, PEM bodies; every
 * prefix and armour line assembled at run time, so no secret-looking literal sits in the source), Lines to
 * build planted files line by line so every plant's line is known, and the check that plants stay apart.
 */
import type { PlantedSecret } from "../../lib/findings.js";
import { base62, crc32 } from "../../../src/secrets/checksum.js";
import { ALNUM, B64URL, DIGITS, hash32, hex, LOWER, RandomBytes, Rng, UPPER } from "./random.js";

/** GitHub (and npm) token checksum: base62 CRC32 of the 30 random characters, 6 wide. */
function checksummedToken(r: Rng, prefix: string): string {
  const body = r.chars(ALNUM, 30);
  return `${prefix}${body}${base62(crc32(body), 6)}`;
}

const b64url = (b: Buffer): string => b.toString("base64url");
/** Key kinds in PEM armour, assembled so that no armour line appears in this file. */
const armour = (edge: "BEGIN" | "END", kind: string): string => `${"-".repeat(5)}${edge} ${kind}${["PRIV", "ATE"].join("")} KEY${"-".repeat(5)}`;

export interface PlantValues {
  awsKeyId: string;
  awsSecret: string;
  awsKeyId2: string;
  awsSecret2: string;
  githubPat: string;
  githubPat2: string;
  githubFineGrained: string;
  gitlabPat: string;
  slackBot: string;
  slackWebhook: string;
  stripe: string;
  npm: string;
  pypi: string;
  rsaPem: string[];
  opensshPem: string[];
  gcpKeyJson: string;
  postgresPassword: string;
  dotenvApiKey: string;
  dotenvSecretKey: string;
  dockerAuth: string;
  sendgrid: string;
  twilio: string;
  openai: string;
  huggingface: string;
  azureKey: string;
  jwt: string;
  /** Packed plants (./packed.ts): drawn last, so the values above stay as they were. */
  stripePyc: string;
  gitlabWheel: string;
  awsKeyIdUtf16: string;
  postgresBackup: string;
}

export function plantValues(seed: number): PlantValues {
  const r = new Rng(hash32(`${seed}/plant-values`));
  const rb = new RandomBytes(`${seed}/plant-bytes`);
  const B32 = `${UPPER}234567`;
  const AWS = ["AK", "IA"].join("");
  const lines = (s: string, width: number) => s.match(new RegExp(`.{1,${width}}`, "g")) ?? [];
  // PKCS#1 RSA 2048 (DER starts 30 82 04 a4 02 01 00 02 82 01 01 00), PKCS#8 (30 82 04 bd ... rsaEncryption).
  const rsaDer = Buffer.concat([Buffer.from("308204a4020100028201010", "hex").subarray(0, 12), Buffer.from([0x00, 0xc3]), rb.take(1176)]);
  const pkcs8 = Buffer.concat([Buffer.from("308204bd020100300d06092a864886f70d0101010500048204a7308204a30201000282010100", "hex"), rb.take(1177)]);
  const sshString = (b: Buffer | string) => {
    const data = typeof b === "string" ? Buffer.from(b) : b;
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    return Buffer.concat([len, data]);
  };
  const pub = rb.take(32);
  const check = rb.take(4);
  const priv = Buffer.concat([check, check, sshString("ssh-ed25519"), sshString(pub), sshString(Buffer.concat([rb.take(32), pub])), sshString("root@buildkitsandbox")]);
  const padded = Buffer.concat([priv, Buffer.from([1, 2, 3, 4, 5, 6, 7].slice(0, (8 - (priv.length % 8)) % 8))]);
  const openssh = Buffer.concat([
    Buffer.from("openssh-key-v1\0", "latin1"), sshString("none"), sshString("none"), sshString(""), Buffer.from([0, 0, 0, 1]),
    sshString(Buffer.concat([sshString("ssh-ed25519"), sshString(pub)])), sshString(padded),
  ]);
  const jwtPart = (o: unknown) => b64url(Buffer.from(JSON.stringify(o)));
  return {
    awsKeyId: AWS + r.chars(B32, 16),
    awsSecret: r.chars(`${ALNUM}/+`, 40),
    awsKeyId2: AWS + r.chars(B32, 16),
    awsSecret2: r.chars(`${ALNUM}/+`, 40),
    githubPat: checksummedToken(r, ["gh", "p_"].join("")),
    githubPat2: checksummedToken(r, ["gh", "p_"].join("")),
    githubFineGrained: `${["github", "_pat_"].join("")}11${r.chars(UPPER + DIGITS, 20)}_${r.chars(ALNUM, 59)}`,
    gitlabPat: `${["gl", "pat-"].join("")}${r.chars(`${ALNUM}_-`, 20)}`,
    slackBot: `${["xo", "xb-"].join("")}${r.range(1, 9)}${r.chars(DIGITS, 10)}-${r.range(1, 9)}${r.chars(DIGITS, 12)}-${r.chars(ALNUM, 24)}`,
    slackWebhook: `https://hooks.${"slack"}.com/services/T${r.chars(UPPER + DIGITS, 8)}/B${r.chars(UPPER + DIGITS, 10)}/${r.chars(ALNUM, 24)}`,
    stripe: `${["sk", "_live_"].join("")}51${r.chars(ALNUM, 97)}`,
    npm: checksummedToken(r, ["np", "m_"].join("")),
    pypi: `${["py", "pi-"].join("")}AgEIcHlwaS5vcmcCJ${r.chars(B64URL, 150)}`,
    rsaPem: [armour("BEGIN", "RSA "), ...lines(rsaDer.toString("base64"), 64), armour("END", "RSA ")],
    opensshPem: [armour("BEGIN", "OPENSSH "), ...lines(openssh.toString("base64"), 70), armour("END", "OPENSSH ")],
    gcpKeyJson: `${armour("BEGIN", "")}\\n${lines(pkcs8.toString("base64"), 64).join("\\n")}\\n${armour("END", "")}\\n`,
    postgresPassword: r.chars(`${ALNUM}-_.`, 22),
    dotenvApiKey: r.chars(ALNUM, 32),
    dotenvSecretKey: r.chars(`${LOWER}${DIGITS}!@%^&*(-_=+)`, 50),
    dockerAuth: Buffer.from(`corp-ci:${["dckr", "_pat_"].join("")}${r.chars(B64URL, 27)}`).toString("base64"),
    sendgrid: `SG.${r.chars(B64URL, 22)}.${r.chars(B64URL, 43)}`,
    twilio: `SK${hex(r, 32)}`,
    openai: `${["sk", "-proj-"].join("")}${r.chars(B64URL, 74)}T3BlbkFJ${r.chars(B64URL, 74)}`,
    huggingface: `${["h", "f_"].join("")}${r.chars(UPPER + LOWER, 34)}`,
    azureKey: rb.take(64).toString("base64"),
    jwt: `${jwtPart({ alg: "HS256", typ: "JWT" })}.${jwtPart({ sub: `svc-${hex(r, 8)}`, iss: "billing", iat: 1717400000, exp: 1780472000, scope: "invoices:write" })}.${b64url(rb.take(32))}`,
    stripePyc: `${["sk", "_live_"].join("")}51${r.chars(ALNUM, 97)}`,
    gitlabWheel: `${["gl", "pat-"].join("")}${r.chars(`${ALNUM}_-`, 20)}`,
    awsKeyIdUtf16: AWS + r.chars(B32, 16),
    postgresBackup: r.chars(`${ALNUM}-_.`, 22),
  };
}

/** Every planted value and every line of a key body: for tests that check none reaches a manifest or report. */
export function plantedValuesForTests(seed = 1): string[] {
  const v = plantValues(seed);
  return Object.values(v).flatMap((x: string | string[]) => (Array.isArray(x) ? x.filter((l) => !l.startsWith("-----")) : [x]));
}

/** A text file built line by line, remembering the line of each plant. */
export class Lines {
  readonly lines: string[] = [];
  readonly plants: Array<{ id: string; kind: string; line: number }> = [];
  push(...ls: string[]): this {
    for (const l of ls) this.lines.push(...l.split("\n"));
    return this;
  }
  plant(id: string, kind: string, ...ls: string[]): this {
    this.plants.push({ id, kind, line: this.lines.length + 1 });
    this.lines.push(...ls);
    return this;
  }
  text(): string {
    return `${this.lines.join("\n")}\n`;
  }
}

/** Plants in one file must be 3+ lines apart: recall matches a finding to a plant within one line. */
export function checkPlaces(planted: PlantedSecret[]): void {
  for (const a of planted) {
    for (const b of planted) {
      if (a !== b && a.layer === b.layer && a.path === b.path && Math.abs(a.line - b.line) < 3) throw new Error(`plants ${a.id} and ${b.id} are too close`);
    }
  }
  if (new Set(planted.map((p) => p.id)).size !== planted.length) throw new Error("duplicate plant id");
}
