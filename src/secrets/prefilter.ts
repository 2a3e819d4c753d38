/**
 * The keyword prefilter: one pass over a file's raw bytes that says which lines hold a rule's keyword, at
 * about three nanoseconds a byte. Every keyword (and every `keywordPattern`, reduced to a sequence of byte sets) is
 * compiled into one lazily built DFA over ASCII-case-folded bytes, in the manner of RE2's DFA: a state is
 * the set of pattern positions still alive, and transitions are computed the first time a (state, byte)
 * pair is seen, then read from a table. The engine never turns a line into a string unless the DFA hit on
 * it, so text without keywords costs one table lookup per byte and no allocation.
 *
 * A V8 RegExp alternation of ~40 case-insensitive keywords runs at ~160 MB/s on Python source; this runs at
 * ~300 MB/s (each byte is one dependent table load) and spares the string conversion of every chunk
 * (docs/benchmarks.md).
 */

/** One pattern: the byte sets its consecutive bytes must belong to (bytes already case-folded). */
type ByteSetSequence = Uint8Array[];

/** ASCII upper case to lower case; every other byte maps to itself. */
const FOLD = Uint8Array.from({ length: 256 }, (_, b) => (b >= 0x41 && b <= 0x5a ? b + 32 : b));

/** Stop growing the transition table past this many states: reset it (as RE2 does) and go on. */
const MAX_STATES = 4096;
const UNSET = -1;

/** Where one file's pass stands between calls to `Prefilter.run` (see there). */
export interface PrefilterCursor {
  state: number;
  newlines: number;
  lastNewline: number;
}

/** The DFA shared by every file of one rule profile; per-file progress lives in a `PrefilterCursor`. */
export class Prefilter {
  private readonly sets: Uint8Array[] = [];
  /** Position i is the last of its pattern: reaching past it is a hit. */
  private readonly isLast: boolean[] = [];
  private readonly starts: number[] = [];
  private keys = new Map<string, number>();
  private states: number[][] = [];
  /** (state << 8 | raw byte) -> next state << 1 | hit; raw bytes, so case folding costs nothing per byte. */
  private table = new Int32Array(0);

  constructor(patterns: ByteSetSequence[], private readonly maxStates = MAX_STATES) {
    for (const p of patterns) {
      if (p.length === 0) continue;
      this.starts.push(this.sets.length);
      p.forEach((set, i) => {
        this.sets.push(set);
        this.isLast.push(i === p.length - 1);
      });
    }
    this.reset();
  }

  /** The state before any byte (and after every "\n"): every pattern waiting at its first position. */
  static readonly START = 0;

  /**
   * Run the DFA over `bytes[from, to)` from `cur.state` until a byte completes a pattern: returns that byte's
   * index, or -1 at `to`. Updates `cur` (no allocation per call): the state to go on from, how many "\n" were
   * passed and where the last one was. The state after a "\n" is always `start` (no keyword spans lines).
   */
  run(cur: PrefilterCursor, bytes: Uint8Array, from: number, to: number): number {
    let table = this.table;
    let state = cur.state;
    let newlines = 0;
    let last = -1;
    for (let i = from; i < to; i++) {
      const b = bytes[i]!;
      let t = table[(state << 8) | b]!;
      if (t === UNSET) {
        t = this.compute(state, b);
        table = this.table; // grown, or rebuilt after a reset
      }
      state = t >> 1;
      if (b === 0x0a) {
        newlines++;
        last = i;
      }
      if (t & 1) {
        cur.state = state;
        cur.newlines = newlines;
        cur.lastNewline = last;
        return i;
      }
    }
    cur.state = state;
    cur.newlines = newlines;
    cur.lastNewline = last;
    return -1;
  }

  private reset(): void {
    this.keys = new Map();
    this.states = [];
    this.table = new Int32Array(256 * 64).fill(UNSET);
    this.intern([]);
  }

  /** Id of the state whose alive non-start positions are `positions` (sorted). */
  private intern(positions: number[]): number {
    const key = positions.join(",");
    let id = this.keys.get(key);
    if (id === undefined) {
      id = this.states.length;
      this.keys.set(key, id);
      this.states.push(positions);
      if (this.table.length < (id + 1) * 256) {
        const grown = new Int32Array(this.table.length * 2).fill(UNSET);
        grown.set(this.table);
        this.table = grown;
      }
    }
    return id;
  }

  /**
   * The transition from `state` on folded byte `b`, stored in the table. When the table is full it is
   * rebuilt from scratch first: the returned transition then names a state of the new table.
   */
  private compute(state: number, raw: number): number {
    const b = FOLD[raw]!;
    const source = this.states[state]!;
    const next = new Set<number>();
    let hit = false;
    for (const pos of [...this.starts, ...source]) {
      if (!this.sets[pos]![b]) continue;
      if (this.isLast[pos]) hit = true;
      else next.add(pos + 1);
    }
    const positions = [...next].sort((x, y) => x - y);
    if (this.states.length >= this.maxStates && !this.keys.has(positions.join(","))) {
      this.reset();
      state = this.intern(source);
    }
    const t = (this.intern(positions) << 1) | (hit ? 1 : 0);
    this.table[(state << 8) | raw] = t;
    return t;
  }
}

/** A literal keyword as a byte-set sequence (case-insensitive: the input is folded to lower case). */
export function literalPattern(keyword: string): ByteSetSequence {
  return [...Buffer.from(keyword.toLowerCase(), "latin1")].map((b) => byteSet([b]));
}

function byteSet(bytes: Iterable<number>): Uint8Array {
  const set = new Uint8Array(256);
  for (const b of bytes) set[FOLD[b]!] = 1;
  return set;
}

/**
 * A `keywordPattern` RegExp as a byte-set sequence, or the longest prefix of it that is one: literals,
 * escapes, `.`-free classes `[a-z0-9_-]` and counted repeats `{n}` / `{n,m}` (n copies, then stop: what
 * follows a variable-length part has no fixed offset). A prefix is a necessary condition, which is all a
 * prefilter needs: the rule's own regex decides.
 */
export function regexPattern(re: RegExp): ByteSetSequence {
  const src = re.source;
  const out: ByteSetSequence = [];
  let i = 0;
  while (i < src.length) {
    let set: Uint8Array;
    if (src[i] === "[") {
      const end = src.indexOf("]", i + 1);
      if (end < 0 || src[i + 1] === "^") break;
      set = classSet(src.slice(i + 1, end));
      i = end + 1;
    } else if (src[i] === "\\") {
      set = byteSet([src.charCodeAt(i + 1)]);
      i += 2;
    } else if (/[()|.*+?^$]/.test(src[i]!)) break;
    else set = byteSet([src.charCodeAt(i++)]);
    const rep = /^\{(\d+)(,\d*)?\}/.exec(src.slice(i));
    const n = rep ? Number(rep[1]) : 1;
    for (let k = 0; k < n; k++) out.push(set);
    if (rep) {
      i += rep[0].length;
      if (rep[2]) break;
    }
  }
  if (out.length === 0) throw new Error(`keywordPattern /${src}/ has no fixed prefix to prefilter on`);
  return out;
}

/** The bytes of a class body such as `a-z0-9_\-.` (ranges and escapes). */
function classSet(body: string): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i] === "\\" ? body.charCodeAt(++i) : body.charCodeAt(i);
    if (body[i + 1] === "-" && i + 2 < body.length) {
      const hi = body[i + 2] === "\\" ? body.charCodeAt(i + 3) : body.charCodeAt(i + 2);
      for (let b = c; b <= hi; b++) bytes.push(b);
      i += body[i + 2] === "\\" ? 3 : 2;
    } else bytes.push(c);
  }
  return byteSet(bytes);
}
