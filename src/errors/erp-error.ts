/**
 * The one error type that crosses subsystem boundaries. Its `kind` decides what happens next
 * (retry, wait, ask a person, give up) and its context lets a person act on it.
 */
export const ERROR_KINDS = [
  'auth',
  'rate_limited',
  'transient',
  'validation',
  'conflict',
  'permanent',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** Where an error happened, in the words of the ERP and of the files a person can open. */
export interface ErrorContext {
  connector?: string;
  method?: string;
  url?: string;
  status?: number;
  entity?: string;
  key?: string;
  field?: string;
  file?: string;
  line?: number;
  /** What a person can do about it, in one sentence. */
  hint?: string;
}

export interface ErpErrorOptions extends ErrorContext {
  cause?: unknown;
  /** Milliseconds the far side asked us to wait (Retry-After), when it said so. */
  retryAfterMs?: number;
}

export class ErpError extends Error {
  override readonly name = 'ErpError';
  readonly kind: ErrorKind;
  readonly context: ErrorContext;
  readonly retryAfterMs: number | undefined;

  constructor(kind: ErrorKind, message: string, options: ErpErrorOptions = {}) {
    const { cause, retryAfterMs, ...context } = options;
    super(message, cause === undefined ? undefined : { cause });
    this.kind = kind;
    this.context = context;
    this.retryAfterMs = retryAfterMs;
  }

  /** Transient and rate-limited errors may succeed when tried again; the others will not. */
  get retryable(): boolean {
    return this.kind === 'transient' || this.kind === 'rate_limited';
  }
}

/** True for an ErpError, optionally of one of the given kinds. */
export function isErpError(error: unknown, ...kinds: ErrorKind[]): error is ErpError {
  return error instanceof ErpError && (kinds.length === 0 || kinds.includes(error.kind));
}
