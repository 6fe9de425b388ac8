import { ErpError, type ErpErrorOptions, type ErrorKind } from '../errors/erp-error.ts';

/**
 * Verdicts this layer reaches on its own, as opposed to failures the ERP reported:
 *
 * - `circuit-open`: the connector's breaker is open; nothing was sent. `retryAfterMs` says when the
 *   next probe is let through.
 * - `queue-timeout`: no request slot or rate-limit token came free within `rateLimit.maxWaitMs`;
 *   nothing was sent.
 * - `retry-after-too-long`: the ERP asked to wait longer than `retry.maxRetryAfterMs`; the call
 *   fails instead of sleeping. `retryAfterMs` carries what the ERP asked.
 * - `outcome-unknown`: a write failed in a way that does not prove the ERP did not apply it
 *   (timeout, connection reset, 5xx after sending). The caller must re-read the record before
 *   writing again; `cause` is the failure.
 */
export const RESILIENCE_VERDICTS = [
  'circuit-open',
  'queue-timeout',
  'retry-after-too-long',
  'outcome-unknown',
] as const;
export type ResilienceVerdict = (typeof RESILIENCE_VERDICTS)[number];

/**
 * An ErpError raised by the resilience layer itself. Still an ErpError (its `kind` decides what
 * happens next, as everywhere); `verdict` says which rule of this layer produced it, so the engine
 * can tell "re-read before writing again" (`outcome-unknown`) from an ordinary transient failure
 * without parsing messages. The retry loop never retries a verdict.
 */
export class ResilienceError extends ErpError {
  readonly verdict: ResilienceVerdict;

  constructor(kind: ErrorKind, verdict: ResilienceVerdict, message: string, options: ErpErrorOptions = {}) {
    super(kind, message, options);
    this.verdict = verdict;
  }
}

/** True for a ResilienceError, optionally with one of the given verdicts. */
export function isResilienceError(
  error: unknown,
  ...verdicts: ResilienceVerdict[]
): error is ResilienceError {
  return error instanceof ResilienceError && (verdicts.length === 0 || verdicts.includes(error.verdict));
}

/**
 * True when a write failed with an unknown outcome: the ERP may or may not have applied it, so the
 * record must be read again and compared before any new attempt.
 */
export function isOutcomeUnknown(error: unknown): error is ResilienceError {
  return isResilienceError(error, 'outcome-unknown');
}
