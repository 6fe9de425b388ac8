/**
 * Settles like `promise`, or rejects with `signal.reason` as soon as `signal` aborts — whichever
 * comes first.
 *
 * For work that honours a signal only in part: the `openai` client aborts a request in flight, but
 * not the sleep before a retry, so without this a caller's abort could wait out a whole
 * `Retry-After`. The abandoned promise keeps running to its own (aborted) end; its outcome is
 * forwarded here and ignored because this promise has already settled, so it is never unhandled.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
