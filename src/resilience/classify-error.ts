import { redact } from '../config/secrets.ts';
import { failureCode, kindForFailureCode, kindForStatus } from '../connectors/rest/http-errors.ts';
import { ErpError, type ErrorContext, type ErrorKind } from '../errors/index.ts';

/**
 * Normalising whatever a connector threw into an ErpError, at the resilience boundary. Connectors
 * are supposed to throw ErpError already (the rest connector does, through `http-errors.ts`, whose
 * rules this file reuses rather than repeats); this catches the rest — a library's raw socket error,
 * an `AbortSignal.timeout()`, a thrown string — so retry, breaker and figures see one error type.
 */

/** Where the failure happened, plus values no message may carry. */
export interface BoundaryContext extends ErrorContext {
  /** The connector's name in erpbridge.yaml. */
  connector: string;
  /** What was being done: `read`, `get`, `write`, `test`. */
  operation?: string;
  /** Credentials and other values that must never appear in a message. */
  secrets?: readonly string[];
}

/** Failure codes that mean the ERP could not be reached at all: say where to look. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * The ErpError for any thrown value. Pure. Rules, in order:
 *
 * 1. An ErpError is returned as it is: it already says what happened and where.
 * 2. `TimeoutError` (AbortSignal.timeout) and `AbortError` are `transient`: something gave up
 *    waiting. The caller must rethrow its *own* abort before calling this — a cancellation is not
 *    an ERP failure and must not be retried.
 * 3. A failure code (its own `code`, a cause's, an AggregateError's first) is classified as the rest
 *    connector does: network codes (ECONNRESET, ECONNREFUSED, ETIMEDOUT, EPIPE, …) and undici's
 *    `UND_ERR_*` socket and timeout codes are `transient`, others `permanent`.
 * 4. A numeric `status` or `statusCode` of 400–599 (HTTP client errors of other libraries) is
 *    classified by HTTP status, as the rest connector does: 429 `rate_limited`, 5xx `transient`, …
 * 5. Anything else is `permanent`: an unexpected error, a bug or an answer nobody understood;
 *    repeating it will not help.
 */
export function toErpError(error: unknown, context: BoundaryContext): ErpError {
  if (error instanceof ErpError) return error;
  const { connector, operation, secrets = [], ...where } = context;
  const doing = operation === undefined ? connector : `${connector} ${operation}`;
  const detail = redact(describeThrown(error), secrets);
  const kind = kindOf(error);
  const code = failureCode(error);
  const status = statusOf(error);
  return new ErpError(kind, `${doing} failed: ${detail}`, {
    ...where,
    connector,
    ...(status === undefined ? {} : { status }),
    cause: error,
    hint: where.hint ?? hintFor(kind, code, connector),
  });
}

/** The kind of a thrown value that is not an ErpError (rules 2–5 of {@link toErpError}). */
export function kindOf(error: unknown): ErrorKind {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return 'transient';
  }
  const code = failureCode(error);
  if (code !== undefined) return kindForFailureCode(code);
  const status = statusOf(error);
  if (status !== undefined) return kindForStatus(status);
  return 'permanent';
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  for (const name of ['status', 'statusCode']) {
    const value = Reflect.get(error, name);
    if (typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 599) return value;
  }
  return undefined;
}

function hintFor(kind: ErrorKind, code: string | undefined, connector: string): string {
  if (code !== undefined && UNREACHABLE_CODES.has(code)) {
    return `the ERP cannot be reached; is it running, and is connectors.${connector} pointing at it?`;
  }
  switch (kind) {
    case 'transient':
      return 'the ERP or the network failed; trying again later may succeed';
    case 'rate_limited':
      return `the ERP is rate limiting; lower connectors.${connector}.resilience.rateLimit`;
    default:
      return 'an unexpected failure; the cause says more, and trying again will not help';
  }
}

function describeThrown(error: unknown): string {
  if (!(error instanceof Error)) return typeof error === 'string' ? error : String(error);
  if (error.message !== '') return error.message;
  if (error instanceof AggregateError) return error.errors.map(describeThrown).join('; ');
  return failureCode(error) ?? error.name;
}
