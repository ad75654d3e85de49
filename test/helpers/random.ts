/** A seeded uniform generator in [0, 1) (mulberry32): synthetic data of known shape, the same on every run. */
export function generator(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform subset: each row kept with probability `share`. */
export function subset<Row>(rows: readonly Row[], share: number, seed: number): Row[] {
  const random = generator(seed);
  return rows.filter(() => random() < share);
}
