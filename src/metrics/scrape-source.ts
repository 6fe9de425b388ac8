/**
 * Reading the sources of a scrape: each one bounded in time, and read once per scrape.
 *
 * A scrape reads the store and every connection's figures. A locked SQLite file or a connection in
 * a bad state must not hang or fail the whole scrape: Prometheus would then lose every metric,
 * the ones that say what is wrong included.
 */

/** A source that did not answer within its time bound. */
export class SourceTimeoutError extends Error {
  override readonly name = 'SourceTimeoutError';
  constructor(
    readonly source: string,
    readonly timeoutMs: number,
  ) {
    super(`metrics source ${source} did not answer within ${timeoutMs} ms`);
  }
}

/**
 * What `read` returns, or its error (thrown synchronously or not), or a {@link SourceTimeoutError}
 * once `timeoutMs` have passed. The timer is cleared either way. `read` takes no signal, so a late
 * answer is dropped rather than cancelled.
 */
export function readWithin<T>(source: string, read: () => T | Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SourceTimeoutError(source, timeoutMs)), timeoutMs);
  });
  return Promise.race([Promise.resolve().then(read), deadline]).finally(() => clearTimeout(timer));
}

/**
 * `read`, called at most once per scrape. Every metric fed by the connector figures has its own
 * `collect()`, and prom-client starts all of them in one synchronous pass over the registry
 * (`Registry.metrics()` maps over its metrics and each `get()` calls `collect()` before its first
 * `await`). The value is therefore kept until the current job ends, and the next scrape reads
 * again. This gives one consistent snapshot per scrape, and a failing source counts one error per
 * scrape rather than one per metric.
 */
export function oncePerScrape<T>(read: () => T): () => T {
  let cached: { value: T } | undefined;
  return () => {
    if (cached) return cached.value;
    const value = read();
    cached = { value };
    queueMicrotask(() => {
      cached = undefined;
    });
    return value;
  };
}

/** Whether `value` is a count or a cumulative amount: finite and ≥ 0. */
export function isAmount(value: number): boolean {
  return Number.isFinite(value) && value >= 0;
}

/**
 * `value` if it is a count or a cumulative amount (finite and ≥ 0). prom-client takes a NaN without
 * complaint, and in a counter it stays NaN for the life of the process (NaN + 1 is NaN); a
 * negative increment makes it throw.
 *
 * @throws RangeError naming `what`.
 */
export function amount(value: number, what: string): number {
  if (!isAmount(value)) {
    throw new RangeError(`${what} must be a finite number ≥ 0, not ${value}`);
  }
  return value;
}
