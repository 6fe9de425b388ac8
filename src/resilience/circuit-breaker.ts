import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
  IsolatedCircuitError,
} from 'cockatiel';
import { z } from 'zod';
import { describeError, ErpError } from '../errors/index.ts';
import { ResilienceError } from './resilience-error.ts';

/**
 * When one connector stops calling its ERP for a while: data, with documented defaults.
 *
 * @example
 *   breaker: { failureThreshold: 5, halfOpenAfterMs: 10000 }
 */
export const BreakerPolicy = z.strictObject({
  /** Consecutive failures (transient or rate limited) that open the circuit. 1–1000, default 5. */
  failureThreshold: z.int().min(1).max(1000).default(5),
  /** Time the circuit stays open before one probe request is let through, in ms. Default 10 000. */
  halfOpenAfterMs: z.int().min(1).max(3_600_000).default(10_000),
  /**
   * How long one call waits, in all, while the circuit is open before it fails, in ms: the run
   * pauses instead of hammering a failing ERP, and resumes when a probe succeeds. 0 fails at once.
   * Default 600 000 (10 min).
   */
  maxPauseMs: z.int().min(0).max(86_400_000).default(600_000),
});
export type BreakerPolicy = z.infer<typeof BreakerPolicy>;

/** `closed`: calls go through. `open`: calls fail fast. `half-open`: one probe decides. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** A connector's circuit breaker. */
export interface ConnectorBreaker {
  readonly state: BreakerState;
  /** Times the circuit has opened (a failed probe re-opening it included). */
  readonly opens: number;
  /** Milliseconds until a probe is let through: 0 unless open. */
  msUntilHalfOpen(): number;
  /** Registers a listener for state changes; returns the function that removes it. */
  onStateChange(listener: (state: BreakerState) => void): () => void;
  /**
   * Runs `call` unless the circuit is open. Open: rejects at once with a `circuit-open`
   * ResilienceError (kind `transient`, `retryAfterMs` = time until the probe), without calling.
   * Half-open: the first call is the probe; calls arriving meanwhile wait for its outcome.
   */
  execute<T>(call: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T>;
}

/**
 * Whether a failure counts towards opening the circuit. Pure. Only `transient` and `rate_limited`
 * ErpErrors from the ERP count: they say the ERP is unwell. A validation error, a conflict, an auth
 * failure or a 404 is about the request, not the ERP's health; a cancellation says nothing; and a
 * ResilienceError (a queue timeout, say) was decided here without asking the ERP.
 */
export function countsAsFailure(error: unknown): boolean {
  return error instanceof ErpError && error.retryable && !(error instanceof ResilienceError);
}

const STATES = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  // Only `isolate()` enters it, which this module never calls; open is what it means.
  [CircuitState.Isolated]: 'open',
} satisfies Record<CircuitState, BreakerState>;

/**
 * A consecutive-failure breaker for one connector, on cockatiel's `CircuitBreakerPolicy` with a
 * `ConsecutiveBreaker`: it opens after `failureThreshold` failures in a row that
 * {@link countsAsFailure}; a success resets the count; failures that do not count leave it as it
 * is. After `halfOpenAfterMs` the next call is a probe: success closes, failure re-opens.
 *
 * cockatiel reads `Date.now()` for the open period, so this module does too; tests move time with
 * `vi.setSystemTime`.
 *
 * Known cockatiel behaviour: a probe that ends with an error that does not count (a validation
 * error, or the caller cancelling it) closes the circuit — the ERP did not prove itself unwell.
 */
export function createCircuitBreaker(connector: string, policy: BreakerPolicy): ConnectorBreaker {
  const breaker = circuitBreaker(handleWhen(countsAsFailure), {
    halfOpenAfter: policy.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(policy.failureThreshold),
  });
  let opens = 0;
  let openedAt = 0;
  let lastFailure: unknown;
  breaker.onBreak((reason) => {
    opens++;
    openedAt = Date.now();
    if ('error' in reason) lastFailure = reason.error;
  });

  const msUntilHalfOpen = (): number =>
    breaker.state === CircuitState.Open ? Math.max(0, openedAt + policy.halfOpenAfterMs - Date.now()) : 0;

  const openError = (cause: unknown): ResilienceError => {
    const waitMs = msUntilHalfOpen();
    const last = lastFailure === undefined ? '' : `; last failure: ${describeError(lastFailure)}`;
    return new ResilienceError(
      'transient',
      'circuit-open',
      `circuit open for connector ${connector} after ${policy.failureThreshold} consecutive failures; ` +
        `next probe in ${Math.ceil(waitMs)} ms`,
      {
        connector,
        retryAfterMs: waitMs,
        cause: lastFailure ?? cause,
        hint: `the ERP is failing, so calls stop for connectors.${connector}.resilience.breaker.halfOpenAfterMs${last}`,
      },
    );
  };

  return {
    get state() {
      return STATES[breaker.state];
    },
    get opens() {
      return opens;
    },
    msUntilHalfOpen,
    onStateChange(listener) {
      const subscription = breaker.onStateChange((state) => listener(STATES[state]));
      return () => subscription.dispose();
    },
    async execute(call, signal) {
      try {
        return await breaker.execute(({ signal: inner }) => call(inner), signal);
      } catch (error) {
        if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
          throw openError(error);
        }
        throw error;
      }
    },
  };
}
