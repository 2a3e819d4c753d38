/**
 * Words and names: the base word list and the syllables that pad it with made-up words, DANGER (what filler
 * must never contain), Vocab (names and prose drawn from the words, Zipf-like) and the shape of the Pools,
 * the per-seed material files are assembled from (built in ./pools.ts).
 */
import type { Rng } from "./random.js";

export const BASE_WORDS = `able about absolute accept account action active adapter add address adjust after agent aggregate
alias align all allow alpha alternate amount analysis anchor angle annotate answer append apply arch area argument
array arrow ascii assert asset assign async attach attempt attribute audio author auto available average axis back
backend balance band bar base basic batch before begin behavior best beta between binary bind bit blank block body
bool border bottom bound box branch break bridge bright broker browser bucket buffer build bundle button byte cache
calendar call callback cancel canvas capacity capture card case cast catalog category cell center chain change
channel char chart check child chunk circle class clean clear client clip clock clone close cluster code codec
collect color column combine command comment commit common compact compare compile complete complex component
compress compute concat condition config connect console constant consume contact container content context control
convert copy core corner count counter coverage create crop cursor curve custom cycle daemon data database date day
debug decimal decode default defer define delay delete delta depth derive describe design detail detect device
dialog dict diff digit dimension direct directory disable display distance divide document domain double down draft
draw driver drop dump duration dynamic each edge edit effect element empty enable encode end engine entry enum equal
error escape event exact exchange exclude execute exist exit expand expect export expression extend extension extra
factor factory fail fallback feature fetch field figure file fill filter final find first fix flag flat float flow
flush focus fold font footer force form format forward frame free frequency front full function future gateway
general generate geometry global grade graph grid group guard guide handle handler head header health height help
hidden hint history hook host hour html icon image import index info init inline inner input insert inspect install
instance integer interface internal interval invalid item iterate join journal json jump kernel label language large
last latency launch layer layout lazy leaf left legacy length level library light limit line linear link list listen
literal load local locale lock log logic long lookup loop lower machine main manager map margin mark match matrix max
measure media member memory merge message meta method metric middle migrate min minor mirror missing mode model
module monitor month mount move multi name native navigate nested network next node noise normal note notify null
number object offset open operator option order origin other outer output overlay owner pack package page pair panel
parallel param parent parse part partial patch path pattern pause payload peer pending percent period persist phase
pick pipe pivot pixel place plain plan platform plot plugin point policy pool port position post power prefix prepare
preview primary print priority probe process produce profile program progress project prompt property protocol
provider proxy publish pull push query queue quick quote radius random range rate ratio raw read ready real record
recover reduce refresh region register regular relation release reload remote remove render repeat replace reply
report request require reset resize resolve resource response rest result retry return reverse review right role
rotate round route row rule run runtime safe sample save scale scan schema scope score screen script scroll search
second section select selector send sequence serial series server service set setting shape share shell shift show
side simple single size skip slice slot small snapshot socket sort source space span spec split stack stage standard
start state static status step stop storage store stream string style submit subset suffix summary support surface
switch symbol sync syntax system table tag target task template temp term text theme thread threshold tick time timer
title toggle tool top total trace track transform translate tree trigger trim tuple type unit update upload upper
usage valid value variable vector verify version view visible volume wait walk warning watch weight width window
worker wrap write year zone`.split(/\s+/);

/**
 * Anything a secret rule (ours, gitleaks', trivy's) keys on: filler never contains it, so every finding outside
 * the planted places is a false one. The realistic hashes (RECORD, git, lock files) are added on purpose later.
 */
export const DANGER =
  /akia|asia|gh[pousr]_|github_pat|glpat|xox[abprs]|_live_|sk-|npm_|pypi-|hf_|sg\.|accountkey|begin|private|passw|pwd|secret|token|api|key|access|auth|cred|bearer|session|cookie|salt|jwt|eyj|login/i;

export const SYLLABLES = "ba be bi bo bu da de di do du fa fe fi fo ga ge go la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po ra re ri ro ru sa se si so ta te ti to tu va ve vi vo za zo".split(" ");
export const CODAS = ["", "", "n", "r", "l", "x", "m", "t", "s", "d"];

/** The per-seed material files are assembled from; built and cached by pools() (./pools.ts). */
export interface Pools {
  words: string[];
  sentences: string[];
  /** Families of Python blocks sharing names (attributes, classes), as the functions of one module do. */
  pyFamilies: string[][];
  pyBlocks: string[];
  pyiBlocks: string[];
  jsSnippets: string[];
  /** x86-like machine code: functions of templated instructions, concatenated. */
  code: Buffer;
  codeStarts: number[];
  /** CPython 3.12 wordcode-like bytes: opcode, small argument. */
  bytecode: Buffer;
  symbols: string[];
  persons: string[];
}

/** Names and prose from the vocabulary. */
export class Vocab {
  /** The real words (the first part of `words`): picked most of the time, as real code reads. */
  private readonly common: number;
  /** Names a block currently reuses (a function's arguments and locals), as real code does. */
  locals: string[] = [];
  /** Names a family of blocks shares. */
  family: string[] = [];
  constructor(
    private readonly r: Rng,
    readonly words: string[],
    readonly sentences: string[] = [],
  ) {
    this.common = words.findIndex((w, i) => i > 0 && !BASE_WORDS.includes(w));
  }
  /** A word, Zipf-like: a few are frequent, most are rare, as in real code and prose. */
  word(): string {
    const n = this.common > 0 && this.r.chance(0.8) ? this.common : this.words.length;
    return this.words[Math.floor(n * this.r.float() ** 3.5)];
  }
  /** A file or directory name: uniform over the whole vocabulary (names are less repetitive than code). */
  name(): string {
    const w = () => this.words[this.r.int(this.words.length)];
    return this.r.chance(0.6) ? w() : `${w()}_${w()}`;
  }
  /** A local name: one of the block's own most of the time. */
  local(): string {
    if (this.locals.length > 0 && this.r.chance(0.6)) return this.r.pick(this.locals);
    return this.family.length > 0 && this.r.chance(0.75) ? this.r.pick(this.family) : this.snake(2);
  }
  /** An attribute or keyword name: the family's most of the time. */
  attr(): string {
    return this.family.length > 0 && this.r.chance(0.8) ? this.r.pick(this.family) : this.snake(1);
  }
  snake(max = 3): string {
    let s = this.word();
    for (let i = this.r.int(max); i > 0; i--) s += `_${this.word()}`;
    return s;
  }
  camel(max = 3): string {
    let s = "";
    for (let i = this.r.range(1, max); i > 0; i--) {
      const w = this.word();
      s += w[0].toUpperCase() + w.slice(1);
    }
    return s;
  }
  sentence(min = 6, max = 16): string {
    if (this.sentences.length > 0) return this.r.pick(this.sentences);
    const n = this.r.range(min, max);
    const ws: string[] = [];
    for (let i = 0; i < n; i++) ws.push(this.word());
    if (this.r.chance(0.3)) ws.splice(this.r.int(n), 0, `${this.word()},`);
    const s = ws.join(" ");
    return `${s[0].toUpperCase()}${s.slice(1)}.`;
  }
  paragraph(min = 2, max = 6, width = 79): string[] {
    const text = Array.from({ length: this.r.range(min, max) }, () => this.sentence()).join(" ");
    return wrap(text, width);
  }
  literal(): string {
    switch (this.r.int(7)) {
      case 0: return String(this.r.int(1000));
      case 1: return `"${this.word()}"`;
      case 2: return this.r.chance(0.5) ? "True" : "False";
      case 3: return "None";
      case 4: return `(${this.r.int(100)}, ${this.r.int(100)})`;
      case 5: return `${this.r.int(100)}.${this.r.int(100)}`;
      default: return `"${this.snake(2)}"`;
    }
  }
  symbol(): string {
    const k = this.r.int(4);
    if (k === 0) return `PyInit_${this.snake(1)}`;
    if (k === 1) return `_ZN${this.r.range(3, 9)}${this.camel(1)}${this.r.range(3, 9)}${this.snake(1)}Ev`;
    if (k === 2) return `${this.snake(2)}_${this.r.pick(["init", "free", "new", "get", "set", "run"])}`;
    return `_Py${this.camel(2)}_${this.camel(1)}`;
  }
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const w of text.split(" ")) {
    if (line.length + w.length + 1 > width && line) {
      out.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(line);
  return out;
}
