/**
 * A bench setting from the environment: a whole number above 0, or `fallback` when unset.
 *
 * @example
 * const runs = envInteger('BENCH_RUNS', 3); // BENCH_RUNS=5 → 5; unset → 3; BENCH_RUNS=x → throws
 */
export function envInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name} must be a whole number above 0, got "${raw}"`);
  return value;
}
