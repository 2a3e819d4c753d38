/**
 * The pools, built once per seed and cached: words, sentences, families of Python blocks, stub blocks, JS
 * snippets, machine code, bytecode, symbols and persons. Files are assembled from them, never byte by byte,
 * which keeps generation fast and the text realistic (and free of anything DANGER matches).
 */
import { codePool } from "./binary.js";
import { hash32, Rng } from "./random.js";
import { jsSnippet, pyBlock, pyiBlock } from "./text-code.js";
import { BASE_WORDS, CODAS, DANGER, SYLLABLES, Vocab, type Pools } from "./vocabulary.js";

const poolCache = new Map<number, Pools>();

export function pools(seed: number): Pools {
  let p = poolCache.get(seed);
  if (!p) poolCache.set(seed, (p = buildPools(seed)));
  return p;
}

function buildPools(seed: number): Pools {
  const r = new Rng(hash32(`${seed}/pools`));
  const words = BASE_WORDS.filter((w) => !DANGER.test(w));
  const seen = new Set(words);
  while (words.length < 1600) {
    let w = "";
    for (let i = r.range(2, 3); i > 0; i--) w += r.pick(SYLLABLES);
    w += r.pick(CODAS);
    if (!seen.has(w) && !DANGER.test(w)) {
      seen.add(w);
      words.push(w);
    }
  }
  // Shuffle each part once, so the frequent (Zipf) words are not the alphabetically first ones.
  const shuffle = (a: string[]) => {
    for (let i = a.length - 1; i > 0; i--) {
      const j = r.int(i + 1);
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  };
  const nBase = words.findIndex((w, i) => i > 0 && !BASE_WORDS.includes(w));
  words.splice(0, words.length, ...shuffle(words.slice(0, nBase)), ...shuffle(words.slice(nBase)));
  const v = new Vocab(r, words);
  const safe = (s: string) => !DANGER.test(s);
  const sentences = Array.from({ length: 6000 }, () => v.sentence(6, 18)).filter(safe);
  const half = new Vocab(r, words, sentences);
  const pyFamilies = Array.from({ length: 250 }, () => {
    half.family = Array.from({ length: 24 }, () => half.snake(1));
    return Array.from({ length: 14 }, () => pyBlock(r, half)).filter(safe);
  });
  half.family = [];
  const pyBlocks = pyFamilies.flat();
  const pyiBlocks = Array.from({ length: 800 }, () => pyiBlock(r, half)).filter(safe);
  const jsSnippets = Array.from({ length: 1500 }, () => jsSnippet(r, half)).filter(safe);
  const { code, starts } = codePool(r, 3000);
  const bytecode = Buffer.allocUnsafe(256 * 1024);
  const OPS = [1, 9, 12, 17, 23, 25, 32, 35, 42, 53, 60, 68, 83, 84, 90, 92, 93, 95, 97, 100, 101, 102, 106, 107, 110, 114, 115, 116, 122, 124, 125, 130, 131, 132, 137, 142, 149, 151, 155, 171];
  for (let i = 0; i < bytecode.length; i += 2) {
    bytecode[i] = r.pick(OPS);
    bytecode[i + 1] = r.chance(0.6) ? r.int(8) : r.int(64);
  }
  const symbols = Array.from({ length: 4000 }, () => half.symbol()).filter(safe);
  const first = "Alice Bruno Chen Dara Elena Farid Greta Hugo Ines Jonas Kira Luca Mei Nadia Omar Paula Quentin Rosa Sami Tara Umar Vera Wen Yara Zoe".split(" ");
  const last = "Andersen Brandt Costa Dubois Eriksen Fischer Garcia Horvat Ivanova Jensen Kowalski Laurent Moreau Novak Okafor Petrov Quinn Rossi Schmidt Tanaka Ueda Varga Weber Xu Yilmaz Zhang".split(" ");
  const persons = Array.from({ length: 300 }, () => `${r.pick(first)} ${r.pick(last)}`);
  return { words, sentences, pyFamilies, pyBlocks, pyiBlocks, jsSnippets, code, codeStarts: starts, bytecode, symbols, persons };
}
