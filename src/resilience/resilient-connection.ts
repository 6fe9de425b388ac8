import { TaskCancelledError, TimeoutStrategy, timeout } from 'cockatiel';
import type {
  Connection,
  ReadQuery,
  RecordPage,
  TestResult,
  VendorRecord,
  WriteRequest,
  WriteResult,
} from '../connectors/contract.ts';
import { describeError, ErpError, type ErrorKind } from '../errors/index.ts';
import { sleep } from './abortable-sleep.ts';
import {
  type AdaptiveConcurrencyPolicy,
  type AdaptiveLimiter,
  capacitySignal,
  createAdaptiveLimiter,
  type LimitPoint,
} from './adaptive-concurrency.ts';
import { type BreakerState, createCircuitBreaker } from './circuit-breaker.ts';
import { toErpError } from './classify-error.ts';
import { createLatencyHistogram, type LatencySummary } from './latency-histogram.ts';
import {
  createRateLimiter,
  type RateLimitPermit,
  type RateLimitPolicy,
  type SharedRateLimiter,
} from './rate-limit.ts';
import type { ResiliencePolicies } from './resilience-config.ts';
import { isResilienceError, ResilienceError } from './resilience-error.ts';
import { delayFor, type NoRetryReason, shouldRetry } from './retry-policy.ts';
import { provablyNotApplied } from './write-outcome.ts';

/**
 * A Connection wrapped in its connector's resilience policies. See README.md in this folder for
 * the order of the wrappers and the write rule; in short, every call goes through
 *
 *   retry (per call) → [ circuit breaker → concurrency gate + rate limit → timeout → the call ] (per attempt)
 *
 * and a write is retried only when its failure proves the ERP never processed it.
 */

/** The calls this layer wraps. */
export type ResilientOperation = 'read' | 'get' | 'write';

/** Why a failure went back to the caller without another attempt. */
export type GiveUpReason = NoRetryReason | 'retry-after-too-long' | 'mid-read';

/** What the wrapper did, for logs and metrics. Listeners must not throw. */
export type ResilienceEvent =
  | {
      kind: 'retry';
      connector: string;
      operation: ResilientOperation;
      /** The attempt that failed, from 1. */
      attempt: number;
      delayMs: number;
      basis: 'backoff' | 'retry-after';
      error: ErpError;
    }
  | {
      kind: 'gave-up';
      connector: string;
      operation: ResilientOperation;
      attempts: number;
      reason: GiveUpReason;
      /** What the caller receives. */
      error: ErpError;
    }
  | { kind: 'circuit'; connector: string; state: BreakerState }
  /** A call waits for the open circuit's next probe instead of failing (see breaker.maxPauseMs). */
  | { kind: 'paused'; connector: string; operation: ResilientOperation; delayMs: number }
  | { kind: 'concurrency'; connector: string; limit: number }
  /** One request answered or failed (not a call: a call may make several), for latency metrics. */
  | {
      kind: 'request';
      connector: string;
      operation: ResilientOperation;
      latencyMs: number;
      /** `ok`, or the kind of error the request ended in. */
      outcome: 'ok' | ErpError['kind'];
    };

/** Runtime services of the wrapper, injectable for tests. */
export interface ResilienceOptions {
  /** The connector's name in erpbridge.yaml, for messages and figures. */
  connector: string;
  /** Wall clock in ms, for the concurrency history and the adaptive limiter; default `Date.now`. */
  now?: () => number;
  /** Uniform random numbers in [0, 1) for the backoff jitter; default `Math.random`. */
  random?: () => number;
  /** Sleeps between attempts; rejects with `signal.reason` on abort. Default: a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Told about retries, give-ups, circuit and concurrency changes. */
  onEvent?: (event: ResilienceEvent) => void;
  /**
   * The limiter of request rate and in-flight requests; default an in-memory one built from
   * `policies.rateLimit`. Pass a shared (e.g. Redis-backed) one to spread one ERP's limits over
   * several workers.
   */
  rateLimiter?: SharedRateLimiter;
  /**
   * Makes the connector's limiters shared by every worker of a deployment (the Redis-backed ones of
   * `src/distributed`, `createSharedBudget`): the rate limiter, and the adaptive limiter when
   * `policies.adaptive.enabled`. Default: in memory, per process. `rateLimiter` wins over it.
   */
  sharedLimits?: SharedLimiterFactory;
}

/**
 * Makes the limiters of one connector from its policies, so that all workers draw on one budget
 * per ERP. Called once per wrapped connection; an implementation may return the same limiter for
 * the same connector.
 */
export interface SharedLimiterFactory {
  /** The limiter of request rate and in-flight requests of `connector`. */
  rateLimiter(connector: string, policy: RateLimitPolicy): SharedRateLimiter;
  /**
   * The adaptive concurrency limiter of `connector`. `now` is the clock the wrapper stamps each
   * outcome's `startedAt` with.
   */
  adaptiveLimiter(
    connector: string,
    policy: AdaptiveConcurrencyPolicy,
    options: { now: () => number },
  ): AdaptiveLimiter;
}

/** What a connector's calls have been like since it was wrapped. */
export interface ConnectorFigures {
  connector: string;
  /** Calls made by the caller: reads, gets and writes. */
  calls: number;
  /** Requests sent to the ERP: attempts of calls, and every page of a read. */
  requests: number;
  /** Attempts made again after a failure. */
  retries: number;
  /** Requests the ERP answered with "rate limited" (429). */
  rateLimited: number;
  /** Failed requests by error kind. */
  failures: Record<ErrorKind, number>;
  breaker: { state: BreakerState; opens: number };
  concurrency: {
    /** Requests in flight now. */
    inFlight: number;
    /** Most in flight at once so far. */
    peakInFlight: number;
    /** Requests admitted at once now: the adaptive limit, or `maxInFlight`. */
    limit: number;
    /** `rateLimit.maxInFlight`: the limit never goes above it. */
    max: number;
    /** The limit over time, oldest first (one point when it is fixed). */
    history: LimitPoint[];
  };
  /** Latency of requests (answered or failed), in ms, from a fixed-size histogram. */
  latencyMs: LatencySummary;
}

/** A wrapped connection: the Connection contract, plus its figures. */
export type ResilientConnection = Connection & { figures(): ConnectorFigures };

/** Record the failure concerns, for messages. */
interface Target {
  entity?: string;
  key?: string;
}

/**
 * Runs `run` with a signal that aborts at the deadline (or when the caller aborts), and rejects at
 * the deadline even if `run` ignores its signal. One controller and one timer per attempt: this
 * runs for every request, and cockatiel's TimeoutPolicy (derived controllers, listeners, a race)
 * measured ~10 % of an apply's CPU time.
 */
function withDeadline<T>(
  ms: number,
  callerSignal: AbortSignal | undefined,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onCallerAbort = () => controller.abort(callerSignal?.reason);
  callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const expired = new TaskCancelledError(`attempt did not finish within ${ms} ms`);
      reject(expired);
      controller.abort(expired);
    }, ms);
  });
  return Promise.race([run(controller.signal), deadline]).finally(() => {
    clearTimeout(timer);
    callerSignal?.removeEventListener('abort', onCallerAbort);
  });
}

/**
 * Wraps every call of `connection` in `policies`. Reads and gets are retried per request; writes
 * only when the failure proves nothing was applied — otherwise the caller gets a transient
 * `outcome-unknown` ResilienceError whose hint says to re-read the record first. A read is
 * retried only on its first page: once a page has been handed out, a failure ends the read (see
 * README.md).
 *
 * @example
 *   const erp = withResilience(await prepared.connect(), config.resilience, { connector: 'erp' });
 *   const order = await erp.get('purchase_orders', '4500000012');
 *   console.log(erp.figures().latencyMs.p95);
 */
export function withResilience(
  connection: Connection,
  policies: ResiliencePolicies,
  options: ResilienceOptions,
): ResilientConnection {
  const { connector } = options;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const sleepFor = options.sleep ?? sleep;
  const emit = options.onEvent ?? (() => undefined);
  const { maxInFlight, maxWaitMs } = policies.rateLimit;

  const breaker = createCircuitBreaker(connector, policies.breaker);
  const adaptive: AdaptiveLimiter | undefined = policies.adaptive.enabled
    ? (options.sharedLimits?.adaptiveLimiter(connector, policies.adaptive, { now }) ??
      createAdaptiveLimiter(policies.adaptive, { now }))
    : undefined;
  const sharedLimiter =
    options.rateLimiter ?? options.sharedLimits?.rateLimiter(connector, policies.rateLimit);
  const limiter =
    sharedLimiter ??
    createRateLimiter({
      requestsPerSecond: policies.rateLimit.requestsPerSecond,
      burst: policies.rateLimit.burst,
      maxInFlight,
    });
  // Aggressive: the attempt ends at the deadline even if the connector ignores its signal. No abort
  // after an attempt returns: it has nothing left to cancel, and an abort per request (a
  // DOMException each) measured ~5 % of an apply's CPU time.
  const attemptTimeout = timeout(policies.timeoutMs, {
    strategy: TimeoutStrategy.Aggressive,
    abortOnReturn: false,
  });
  const latency = createLatencyHistogram();
  const fixedHistory: LimitPoint[] = [{ at: now(), limit: maxInFlight }];
  const counts = {
    calls: 0,
    requests: 0,
    retries: 0,
    rateLimited: 0,
    failures: noFailures(),
  };
  /** Whether the ERP has answered any request: a run only pauses for an ERP it has seen working. */
  let answered = false;
  breaker.onStateChange((state) => emit({ kind: 'circuit', connector, state }));
  // A shared adaptive limiter outlives this connection: stop listening when it closes.
  const stopListening = adaptive?.onLimitChange((limit) => emit({ kind: 'concurrency', connector, limit }));

  /** Waits for an adaptive slot (when enabled), then a rate-limiter slot and token; bounded by maxWaitMs. */
  const admit = async (signal: AbortSignal | undefined): Promise<RateLimitPermit[]> => {
    signal?.throwIfAborted();
    // The common case — no rate, no adaptive gate, a slot free, nobody queued — is granted at once:
    // no wait to bound, so no controller and no timer for it (this runs for every request).
    if (
      adaptive === undefined &&
      sharedLimiter === undefined &&
      policies.rateLimit.requestsPerSecond === null
    ) {
      const { inFlight, waiting } = limiter.snapshot();
      if (waiting === 0 && inFlight < maxInFlight) return [await limiter.acquire()];
    }
    const waiting = new AbortController();
    const timer = setTimeout(() => waiting.abort(queueTimeout()), maxWaitMs);
    const onCallerAbort = () => waiting.abort(signal?.reason);
    signal?.addEventListener('abort', onCallerAbort, { once: true });
    const permits: RateLimitPermit[] = [];
    try {
      if (adaptive !== undefined) permits.push(await adaptive.acquire(waiting.signal));
      permits.push(await limiter.acquire(waiting.signal));
      return permits;
    } catch (error) {
      for (const permit of permits) permit.release();
      throw error;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onCallerAbort);
    }
  };

  const queueTimeout = (): ResilienceError => {
    const { inFlight, waiting } = limiter.snapshot();
    return new ResilienceError(
      'rate_limited',
      'queue-timeout',
      `connector ${connector}: no request slot within ${maxWaitMs} ms (${waiting} waiting, ${inFlight} in flight); nothing was sent`,
      {
        connector,
        hint: `more work than the ERP's limits allow; send less at once, or raise connectors.${connector}.resilience.rateLimit`,
      },
    );
  };

  const timeoutError = (operation: ResilientOperation, target: Target, cause: unknown): ErpError => {
    const record = [target.entity, target.key].filter(Boolean).join(' ');
    return new ErpError(
      'transient',
      `${connector} ${operation}${record ? ` ${record}` : ''} did not finish within ${policies.timeoutMs} ms`,
      {
        connector,
        ...target,
        cause,
        hint: `the ERP is slow or hanging; raise connectors.${connector}.resilience.timeoutMs if it is just slow`,
      },
    );
  };

  /**
   * One attempt: breaker → gate → timeout → the call. Records figures and the adaptive outcome.
   *
   * @param sentRequest whether a successful result came from a request to the ERP; a read's last
   *   `next()` usually just says "done" without asking, and must not count as a (very fast) request.
   */
  const attemptOnce = <T>(
    operation: ResilientOperation,
    target: Target,
    run: (signal: AbortSignal) => Promise<T>,
    signal: AbortSignal | undefined,
    sentRequest: (value: T) => boolean = () => true,
  ): Promise<T> =>
    breaker.execute(async () => {
      const permits = await admit(signal);
      const startedAt = now();
      const started = performance.now();
      try {
        const value = await withDeadline(policies.timeoutMs, signal, run);
        if (!sentRequest(value)) {
          adaptive?.record({ kind: 'neutral', startedAt });
          return value;
        }
        const latencyMs = performance.now() - started;
        answered = true;
        counts.requests++;
        latency.record(latencyMs);
        adaptive?.record({ kind: 'success', startedAt, latencyMs });
        emit({ kind: 'request', connector, operation, latencyMs, outcome: 'ok' });
        return value;
      } catch (thrown) {
        if (signal?.aborted) {
          // The caller's own cancellation: not an ERP failure, not a capacity signal.
          adaptive?.record({ kind: 'neutral', startedAt });
          throw signal.reason;
        }
        const error =
          thrown instanceof TaskCancelledError
            ? timeoutError(operation, target, thrown)
            : toErpError(thrown, { connector, operation, ...target });
        counts.requests++;
        const latencyMs = performance.now() - started;
        latency.record(latencyMs);
        emit({ kind: 'request', connector, operation, latencyMs, outcome: error.kind });
        counts.failures[error.kind]++;
        if (error.kind === 'rate_limited') counts.rateLimited++;
        adaptive?.record({ kind: capacitySignal(error), startedAt });
        throw error;
      } finally {
        for (const permit of permits) permit.release();
      }
    }, signal);

  const giveUp = (
    operation: ResilientOperation,
    attempts: number,
    reason: GiveUpReason,
    error: ErpError,
  ): ErpError => {
    emit({ kind: 'gave-up', connector, operation, attempts, reason, error });
    return error;
  };

  /**
   * After attempt `attempt` failed with `thrown`: the ms to sleep before the next attempt, or the
   * error to give the caller (thrown).
   */
  const nextDelay = (
    operation: ResilientOperation,
    target: Target,
    attempt: number,
    thrown: unknown,
    signal: AbortSignal | undefined,
  ): number => {
    // The caller's abort reason goes back untouched, whatever it is.
    if (signal?.aborted) throw signal.reason;
    if (!(thrown instanceof ErpError)) throw thrown;
    const idempotent = operation !== 'write';
    const decision = shouldRetry(thrown, attempt, policies.retry, {
      idempotent,
      notApplied: !idempotent && provablyNotApplied(thrown),
    });
    if (!decision.retry) {
      if (decision.reason === 'not-retryable') throw thrown;
      if (decision.reason === 'outcome-unknown') {
        throw giveUp(operation, attempt, decision.reason, outcomeUnknown(thrown, target));
      }
      throw giveUp(operation, attempt, decision.reason, thrown);
    }
    const delay = delayFor(policies.retry, attempt, random(), thrown.retryAfterMs);
    if (delay.kind === 'too-long') {
      const asked = new ResilienceError(
        thrown.kind,
        'retry-after-too-long',
        `${thrown.message}; the ERP asks to wait ${Math.ceil(delay.retryAfterMs / 1000)} s, more than ` +
          `retry.maxRetryAfterMs (${delay.maxRetryAfterMs} ms), so the call fails instead of sleeping`,
        {
          ...thrown.context,
          retryAfterMs: delay.retryAfterMs,
          cause: thrown,
          hint: `try again after the time the ERP asked, or raise connectors.${connector}.resilience.retry.maxRetryAfterMs`,
        },
      );
      throw giveUp(operation, attempt, 'retry-after-too-long', asked);
    }
    counts.retries++;
    emit({
      kind: 'retry',
      connector,
      operation,
      attempt,
      delayMs: delay.ms,
      basis: delay.basis,
      error: thrown,
    });
    return delay.ms;
  };

  const outcomeUnknown = (error: ErpError, target: Target): ResilienceError => {
    const record = [target.entity, target.key].filter(Boolean).join(' ');
    return new ResilienceError(
      'transient',
      'outcome-unknown',
      `${error.message}; the write may or may not have been applied`,
      {
        ...error.context,
        cause: error,
        hint: `the outcome is unknown: read ${record || 'the record'} again and compare before writing again`,
      },
    );
  };

  /** A get or write: the retry loop around attempts. */
  const withRetry = async <T>(
    operation: 'get' | 'write',
    target: Target,
    run: (signal: AbortSignal) => Promise<T>,
    signal: AbortSignal | undefined,
  ): Promise<T> => {
    counts.calls++;
    const pause = pauseBudget(operation);
    for (let attempt = 1; ; ) {
      try {
        return await attemptOnce(operation, target, run, signal);
      } catch (error) {
        const paused = pause(error);
        if (paused !== undefined) {
          await sleepFor(paused, signal);
          attempt = 1;
          continue;
        }
        await sleepFor(nextDelay(operation, target, attempt, error, signal), signal);
        attempt++;
      }
    }
  };

  /**
   * A call's allowance for waiting out an open circuit: returns the ms to pause when `error` says
   * the circuit is open and the allowance (breaker.maxPauseMs) is not used up; undefined otherwise,
   * and the error takes its normal course. A pause is not an attempt: nothing was sent. Only an ERP
   * that has answered before is waited for; one never reached fails at once.
   */
  const pauseBudget = (operation: ResilientOperation) => {
    let pausedMs = 0;
    return (error: unknown): number | undefined => {
      // Nothing was sent: safe for any call. A failure that has just opened the circuit also pauses
      // a read or get (asking again is safe), never a write (its outcome may be unknown).
      // An ERP never reached (a wrong URL, a server not started) fails at once with its reason.
      if (!answered) return undefined;
      const refused = isResilienceError(error, 'circuit-open');
      const opened =
        operation !== 'write' && breaker.state === 'open' && error instanceof ErpError && error.retryable;
      if (!refused && !opened) return undefined;
      const waitMs = Math.max(1, breaker.msUntilHalfOpen() || policies.breaker.halfOpenAfterMs);
      if (pausedMs + waitMs > policies.breaker.maxPauseMs) return undefined;
      pausedMs += waitMs;
      emit({ kind: 'paused', connector, operation, delayMs: waitMs });
      return waitMs;
    };
  };

  /** Pages of one underlying read, each fetched as one attempt; `close` ends the underlying read. */
  const openPages = (query: ReadQuery) => {
    // Aborted when a page times out, so the underlying read stops waiting too.
    const controller = new AbortController();
    const signal =
      query.signal === undefined ? controller.signal : AbortSignal.any([query.signal, controller.signal]);
    const iterator = connection.read({ ...query, signal })[Symbol.asyncIterator]();
    let pending = false;
    const target: Target = { entity: query.entity };
    return {
      next: () =>
        attemptOnce(
          'read',
          target,
          async (attemptSignal) => {
            const forward = () => controller.abort(attemptSignal.reason);
            attemptSignal.addEventListener('abort', forward, { once: true });
            pending = true;
            try {
              return await iterator.next();
            } finally {
              pending = false;
              attemptSignal.removeEventListener('abort', forward);
            }
          },
          query.signal,
          (result) => result.done !== true,
        ),
      close: async () => {
        // A page still pending (timed out on a connector that ignores its signal) would make
        // return() wait for it; the abort below is all that can be done then.
        if (!pending) await iterator.return?.();
        controller.abort();
      },
    };
  };

  /**
   * A read that survives failures: before its first page a failure starts it again; after that it
   * continues from the last page's cursor when the connector gives one (never restarting, so no
   * record is handed out twice), and gives up when it does not. Progress resets the attempt count.
   */
  async function* read(query: ReadQuery): AsyncGenerator<RecordPage, void, undefined> {
    counts.calls++;
    let resumeFrom = query.resumeFrom;
    const pause = pauseBudget('read');
    // Failed attempts since the last page that came through.
    let attempt = 0;
    for (;;) {
      const pages = openPages(resumeFrom === undefined ? query : { ...query, resumeFrom });
      let delayMs: number;
      try {
        let yielded = 0;
        for (;;) {
          let result: IteratorResult<RecordPage>;
          try {
            result = await pages.next();
          } catch (error) {
            const resumable = yielded === 0 || resumeFrom !== undefined;
            const paused = resumable ? pause(error) : undefined;
            if (paused !== undefined) {
              delayMs = paused;
              break;
            }
            attempt++;
            if (!resumable && error instanceof ErpError && !query.signal?.aborted) {
              throw giveUp('read', attempt, 'mid-read', error);
            }
            delayMs = nextDelay('read', { entity: query.entity }, attempt, error, query.signal);
            break;
          }
          if (result.done === true) return;
          yielded++;
          attempt = 0;
          const cursor = result.value.cursor;
          resumeFrom = typeof cursor === 'string' ? cursor : undefined;
          yield result.value;
        }
      } finally {
        await pages.close();
      }
      await sleepFor(delayMs, query.signal);
    }
  }

  const test = async (): Promise<TestResult> => {
    try {
      return await attemptTimeout.execute(() => connection.test());
    } catch (error) {
      if (error instanceof TaskCancelledError) {
        return { ok: false, message: `${connector} did not answer the test within ${policies.timeoutMs} ms` };
      }
      return { ok: false, message: describeError(toErpError(error, { connector, operation: 'test' })) };
    }
  };

  return {
    read,
    get: (entity: string, key: string, signal?: AbortSignal): Promise<VendorRecord | null> =>
      withRetry(
        'get',
        { entity, key },
        (attemptSignal) => connection.get(entity, key, attemptSignal),
        signal,
      ),
    write: (request: WriteRequest): Promise<WriteResult> =>
      withRetry(
        'write',
        { entity: request.entity, key: request.key },
        (attemptSignal) => connection.write({ ...request, signal: attemptSignal }),
        request.signal,
      ),
    test,
    close: () => {
      stopListening?.();
      return connection.close();
    },
    ...(connection.describeWrite ? { describeWrite: connection.describeWrite.bind(connection) } : {}),
    figures: () => {
      const { inFlight, peakInFlight } = limiter.snapshot();
      return {
        connector,
        calls: counts.calls,
        requests: counts.requests,
        retries: counts.retries,
        rateLimited: counts.rateLimited,
        failures: { ...counts.failures },
        breaker: { state: breaker.state, opens: breaker.opens },
        concurrency: {
          inFlight,
          peakInFlight,
          limit: adaptive?.limit ?? maxInFlight,
          max: maxInFlight,
          history: [...(adaptive?.history ?? fixedHistory)],
        },
        latencyMs: latency.summary(),
      };
    },
  };
}

function noFailures(): Record<ErrorKind, number> {
  return { auth: 0, rate_limited: 0, transient: 0, validation: 0, conflict: 0, permanent: 0 };
}
