/**
 * A latency histogram of fixed size, HDR-style: buckets grow geometrically by {@link GROWTH}, so
 * any quantile is within about 1 % of the true value whatever the scale, and memory stays the same
 * after a million requests as after ten.
 */

/** Smallest latency told apart, in ms; anything faster lands in the first bucket. */
export const MIN_LATENCY_MS = 0.01;
/** Ratio between the bounds of a bucket: 2 % wide, so a bucket's middle is within 1 % of any value in it. */
export const GROWTH = 1.02;
/** Buckets up to about 10^7 ms (almost 3 hours); slower latencies land in the last one. */
const BUCKETS = Math.ceil(Math.log(1e9) / Math.log(GROWTH)) + 1;

/** Quantiles of the latencies recorded, in ms; all 0 while `count` is 0. */
export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** A histogram to record latencies into and read quantiles from. */
export interface LatencyHistogram {
  /** Adds one latency in ms; negative and non-finite values are programming errors (RangeError). */
  record(latencyMs: number): void;
  /** The latency below or at which a fraction `q` (0–1) of the recorded ones fall; 0 when empty. */
  quantile(q: number): number;
  summary(): LatencySummary;
}

/** An empty histogram. */
export function createLatencyHistogram(): LatencyHistogram {
  const counts = new Uint32Array(BUCKETS);
  let count = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = 0;

  const quantile = (q: number): number => {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`a quantile is between 0 and 1, not ${q}`);
    if (count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * count));
    let seen = 0;
    for (let index = 0; index < BUCKETS; index++) {
      seen += counts[index] ?? 0;
      if (seen < rank) continue;
      // The overflow bucket has no upper bound: its largest value is the one known.
      if (index === BUCKETS - 1) return max;
      // The bucket's geometric middle, but never outside what was actually seen.
      return Math.min(max, Math.max(min, middleOf(index)));
    }
    return max;
  };

  return {
    record(latencyMs) {
      if (!(latencyMs >= 0) || !Number.isFinite(latencyMs)) {
        throw new RangeError(`a latency is a finite number of ms ≥ 0, not ${latencyMs}`);
      }
      const index = bucketOf(latencyMs);
      counts[index] = (counts[index] ?? 0) + 1;
      count++;
      min = Math.min(min, latencyMs);
      max = Math.max(max, latencyMs);
    },
    quantile,
    summary: () => ({ count, p50: quantile(0.5), p95: quantile(0.95), p99: quantile(0.99), max }),
  };
}

/** Bucket 0 holds [0, MIN]; bucket i ≥ 1 holds (MIN·GROWTH^(i-1), MIN·GROWTH^i]. */
function bucketOf(latencyMs: number): number {
  if (latencyMs <= MIN_LATENCY_MS) return 0;
  const index = Math.ceil(Math.log(latencyMs / MIN_LATENCY_MS) / Math.log(GROWTH));
  return Math.min(BUCKETS - 1, index);
}

function middleOf(index: number): number {
  if (index === 0) return MIN_LATENCY_MS;
  return MIN_LATENCY_MS * GROWTH ** (index - 0.5);
}
