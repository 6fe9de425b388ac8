import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { ErpError, type ErrorKind } from '../../errors/index.ts';

/** Where an LLM request was going and for what, so its error can say so. */
export interface LlmRequestScope {
  /** The task's name. */
  task: string;
  /** The id of the batch's first input. */
  firstId: string;
  /** The POST target, without credentials. */
  url: string;
  /** The per-attempt time bound, for the timeout message. */
  timeoutMs: number;
  /** Scrubbed from every message; never appears in an error. */
  apiKey: string | undefined;
}

/**
 * What an HTTP status from an LLM server means for us: 401/403 ⇒ `auth` (a person must fix the key
 * or its permissions), 429 ⇒ `rate_limited`, 408 and 5xx ⇒ `transient`, anything else ⇒ `permanent`
 * (the request itself is wrong and will be wrong again).
 */
export function errorKindForStatus(status: number): ErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate_limited';
  if (status === 408 || status >= 500) return 'transient';
  return 'permanent';
}

function hintForStatus(status: number): string | undefined {
  if (status === 401 || status === 403) return 'check apiKey, and that the key may use this model';
  if (status === 404) return 'check baseUrl (it usually ends in /v1) and the model name';
  if (status === 429)
    return 'the server is rate limiting: lower concurrency or batchSize, or run again later';
  if (status === 400 || status === 422) {
    return 'if the server rejects response_format, set structuredOutput: json_object; if the prompt is too long, lower batchSize';
  }
  if (status >= 500) return 'the LLM server failed; run again later';
  return undefined;
}

/**
 * Milliseconds a response asked us to wait: `retry-after-ms`, else `retry-after` in seconds or as an
 * HTTP date (the same headers, in the same order, as the `openai` client's own retry reads).
 */
export function retryAfterMs(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  const millis = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(millis) && millis >= 0) return millis;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** `text` with every occurrence of `secret` replaced; unchanged when there is no secret. */
export function redact(text: string, secret: string | undefined): string {
  return secret ? text.replaceAll(secret, '[redacted]') : text;
}

/**
 * Normalises whatever a chat completions call threw into an ErpError whose kind says what to do
 * next. The API key is scrubbed from the message, and the original error is kept as `cause` only
 * when it does not carry the key (some servers echo a wrong key back in their error body).
 */
export function llmRequestError(error: unknown, scope: LlmRequestScope): ErpError {
  if (error instanceof ErpError) return error;
  const where = { method: 'POST', url: scope.url, entity: scope.task, key: scope.firstId };
  const prefix = `LLM request for task "${scope.task}" failed`;
  const cause = withoutSecret(error, scope.apiKey);
  if (error instanceof APIConnectionTimeoutError) {
    return new ErpError('transient', `${prefix}: no answer within ${scope.timeoutMs} ms`, {
      ...where,
      cause,
      hint: 'raise timeoutMs or lower batchSize; a local model may need minutes for a large batch',
    });
  }
  if (error instanceof APIConnectionError) {
    const reason = causeChain(error.cause);
    return new ErpError('transient', `${prefix}: ${redact(error.message + reason, scope.apiKey)}`, {
      ...where,
      cause,
      hint: 'check baseUrl and that the LLM server is running',
    });
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const { status } = error;
    return new ErpError(errorKindForStatus(status), `${prefix}: ${redact(error.message, scope.apiKey)}`, {
      ...where,
      status,
      cause,
      retryAfterMs: retryAfterMs(error.headers),
      hint: hintForStatus(status),
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ErpError('permanent', `${prefix}: ${redact(message, scope.apiKey)}`, { ...where, cause });
}

/** ` (fetch failed: connect ECONNREFUSED 127.0.0.1:9)`: the messages of a cause chain, innermost last. */
function causeChain(cause: unknown): string {
  const messages: string[] = [];
  for (let link = cause; link instanceof Error && messages.length < 5; link = link.cause) {
    messages.push(link.message);
  }
  return messages.length > 0 ? ` (${messages.join(': ')})` : '';
}

function withoutSecret(error: unknown, secret: string | undefined): unknown {
  if (!secret || !(error instanceof Error)) return error;
  const body = error instanceof APIError ? JSON.stringify(error.error ?? null) : '';
  if (!error.message.includes(secret) && !body.includes(secret)) return error;
  const scrubbed = new Error(redact(error.message, secret));
  scrubbed.name = error.name;
  return scrubbed;
}
