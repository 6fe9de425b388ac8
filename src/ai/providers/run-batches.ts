/**
 * Splits `items` into consecutive batches of at most `size`, in order.
 *
 * @example chunk([1, 2, 3, 4, 5], 2) // [[1, 2], [3, 4], [5]]
 */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`batch size must be a positive integer, got ${size}`);
  const batches: T[][] = [];
  for (let start = 0; start < items.length; start += size) batches.push(items.slice(start, start + size));
  return batches;
}

/**
 * Runs `work` over `items` with at most `concurrency` calls in flight and returns the results in the
 * order of `items`, whatever order they finish in.
 *
 * The first failure stops the rest: no new call starts, the calls in flight are told through the
 * signal `work` receives, and once they have all settled (none is left running or unhandled) the
 * promise rejects with that first error. When the caller's `signal` aborts, it rejects with the
 * signal's reason the same way.
 */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number, signal: AbortSignal) => Promise<R>,
  signal?: AbortSignal,
): Promise<R[]> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  signal?.throwIfAborted();
  const stop = new AbortController();
  const forwardAbort = (): void => stop.abort(signal?.reason);
  signal?.addEventListener('abort', forwardAbort, { once: true });

  const results = new Array<R>(items.length);
  const queue = items.entries();
  let failure: { error: unknown } | undefined;

  const worker = async (): Promise<void> => {
    for (let next = queue.next(); !next.done && !stop.signal.aborted; next = queue.next()) {
      const [index, item] = next.value;
      try {
        results[index] = await work(item, index, stop.signal);
      } catch (error) {
        // Only the first failure is reported; later ones are usually the abort it caused.
        failure ??= { error };
        stop.abort(error);
        return;
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  } finally {
    signal?.removeEventListener('abort', forwardAbort);
  }
  if (signal?.aborted) throw signal.reason;
  if (failure) throw failure.error;
  return results;
}
