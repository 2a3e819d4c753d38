/** Medians with their spread over repeated runs: every figure the benchmark prints is one of these. */

export interface Sampled {
  median: number;
  min: number;
  max: number;
  runs: number;
}

/** Median, min and max of a non-empty list of samples. */
export function summarise(samples: number[]): Sampled {
  if (samples.length === 0) throw new Error("no samples to summarise");
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)!, runs: sorted.length };
}

/** Run `fn` `runs` times one after another (never concurrently: runs would slow each other). */
export async function repeat<T>(runs: number, fn: (run: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let run = 0; run < runs; run++) out.push(await fn(run));
  return out;
}
