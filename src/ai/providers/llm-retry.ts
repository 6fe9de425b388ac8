import { APIError } from 'openai';
import type { ErpError } from '../../errors/index.ts';
import { sleep } from '../../resilience/abortable-sleep.ts';
import { delayFor, type RetryPolicy, shouldRetry } from '../../resilience/retry-policy.ts';

/** What one attempt of a request is told: its number (1 for the first). */
export type Attempt<T> = (attempt: number) => Promise<T>;

/**
 * Runs `attempt` until it succeeds or the resilience rules say to stop, the way `withResilience`
 * retries an idempotent read: `shouldRetry` decides (only `transient` and `rate_limited` errors, at
 * most `maxAttempts`), `delayFor` says how long to wait — the server's Retry-After when it sent one
 * (429 and 5xx alike), else backoff with jitter. A Retry-After above `maxRetryAfterMs` ends the
 * request at once with its error, which carries `retryAfterMs`. A server that says
 * `x-should-retry: false` is believed. The caller's abort ends any wait at once, with its reason.
 *
 * Sending a chat completion again is safe: it changes nothing on the server.
 *
 * @returns the result and how many attempts it took. A caller that needs the count after a
 *   failure counts the calls of `attempt` itself.
 */
export async function withLlmRetry<T>(
  attempt: Attempt<T>,
  policy: RetryPolicy,
  signal: AbortSignal,
  toError: (thrown: unknown) => ErpError,
  random01: () => number = Math.random,
): Promise<{ value: T; attempts: number }> {
  for (let number = 1; ; number++) {
    try {
      return { value: await attempt(number), attempts: number };
    } catch (thrown) {
      if (signal.aborted) throw signal.reason;
      const error = toError(thrown);
      if (serverSaysNoRetry(thrown)) throw error;
      if (!shouldRetry(error, number, policy, { idempotent: true }).retry) throw error;
      const delay = delayFor(policy, number, Math.min(random01(), 0.999_999), error.retryAfterMs);
      if (delay.kind === 'too-long') throw error;
      await sleep(delay.ms, signal);
    }
  }
}

/** The server's `x-should-retry: false`, on the client's error or on the error it became (its cause). */
function serverSaysNoRetry(thrown: unknown): boolean {
  for (let link = thrown, depth = 0; link instanceof Error && depth < 3; link = link.cause, depth++) {
    if (link instanceof APIError) return link.headers?.get('x-should-retry') === 'false';
  }
  return false;
}
