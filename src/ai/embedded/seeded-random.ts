/**
 * A small seeded pseudo-random generator (mulberry32), so that training, shuffling and
 * train/validation splits give the same result on every run and every machine.
 *
 * @example
 * const random = seededRandom(42);
 * random(); // 0.6011037519201636, always
 */
export function seededRandom(seed: number): () => number {
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shuffles `indices` in place (Fisher–Yates) driven by `random`; returns the same array. */
export function shuffleInPlace(indices: Int32Array, random: () => number): Int32Array {
  for (let i = indices.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const held = indices[i] ?? 0;
    indices[i] = indices[j] ?? 0;
    indices[j] = held;
  }
  return indices;
}
