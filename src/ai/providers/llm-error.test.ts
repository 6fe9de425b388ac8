import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { ErpError } from '../../errors/index.ts';
import {
  errorKindForStatus,
  type LlmRequestScope,
  llmRequestError,
  redact,
  retryAfterMs,
} from './llm-error.ts';

const scope: LlmRequestScope = {
  task: 'po-urgency',
  firstId: '40',
  url: 'https://llm.example/v1/chat/completions',
  timeoutMs: 30_000,
  apiKey: 'sk-secret-123456',
};

describe('errorKindForStatus', () => {
  it.each([
    [401, 'auth'],
    [403, 'auth'],
    [429, 'rate_limited'],
    [408, 'transient'],
    [500, 'transient'],
    [502, 'transient'],
    [503, 'transient'],
    [400, 'permanent'],
    [404, 'permanent'],
    [422, 'permanent'],
  ] as const)('%i ⇒ %s', (status, kind) => {
    expect(errorKindForStatus(status)).toBe(kind);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads retry-after-ms first, then retry-after as seconds or as an HTTP date', () => {
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }), now)).toBe(250);
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }), now)).toBe(2000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT' }), now)).toBe(30_000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Tue, 31 Dec 2024 00:00:00 GMT' }), now)).toBe(0);
  });

  it('is undefined when the server said nothing usable', () => {
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
  });
});

describe('redact', () => {
  it('replaces every occurrence of the secret, and nothing without one', () => {
    expect(redact('key sk-a and sk-a again', 'sk-a')).toBe('key [redacted] and [redacted] again');
    expect(redact('nothing to hide', undefined)).toBe('nothing to hide');
    expect(redact('nothing to hide', '')).toBe('nothing to hide');
  });
});

describe('llmRequestError', () => {
  it('maps a status error with context, a hint and Retry-After', () => {
    const cause = APIError.generate(
      429,
      { error: { message: 'Rate limit reached for requests' } },
      undefined,
      new Headers({ 'retry-after': '3' }),
    );
    const error = llmRequestError(cause, scope);
    expect(error).toBeInstanceOf(ErpError);
    expect(error).toMatchObject({
      kind: 'rate_limited',
      message: 'LLM request for task "po-urgency" failed: 429 Rate limit reached for requests',
      retryAfterMs: 3000,
      cause,
      context: {
        method: 'POST',
        url: scope.url,
        status: 429,
        entity: 'po-urgency',
        key: '40',
        hint: 'the server is rate limiting: lower concurrency or batchSize, or run again later',
      },
    });
  });

  it('scrubs the key from the message and drops a cause that carries it', () => {
    const echoed = APIError.generate(
      401,
      { error: { message: `Incorrect API key provided: ${scope.apiKey}.` } },
      undefined,
      new Headers(),
    );
    const error = llmRequestError(echoed, scope);
    expect(error.kind).toBe('auth');
    expect(error.message).toBe(
      'LLM request for task "po-urgency" failed: 401 Incorrect API key provided: [redacted].',
    );
    expect(error.cause).not.toBe(echoed);
    expect(error.cause).toMatchObject({ message: '401 Incorrect API key provided: [redacted].' });
  });

  it('maps timeouts and connection failures to transient', () => {
    expect(llmRequestError(new APIConnectionTimeoutError(), scope)).toMatchObject({
      kind: 'transient',
      message: 'LLM request for task "po-urgency" failed: no answer within 30000 ms',
    });
    const refused = new APIConnectionError({
      cause: new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') }),
    });
    expect(llmRequestError(refused, scope)).toMatchObject({
      kind: 'transient',
      message:
        'LLM request for task "po-urgency" failed: Connection error. (fetch failed: connect ECONNREFUSED 127.0.0.1:9)',
    });
  });

  it('passes ErpErrors through and makes anything else permanent', () => {
    const own = new ErpError('validation', 'already ours');
    expect(llmRequestError(own, scope)).toBe(own);
    expect(llmRequestError(new Error(`odd ${scope.apiKey}`), scope)).toMatchObject({
      kind: 'permanent',
      message: 'LLM request for task "po-urgency" failed: odd [redacted]',
    });
  });
});
