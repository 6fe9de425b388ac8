import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { ErpError, type ErrorKind } from '../errors/index.ts';
import { kindOf, toErpError } from './classify-error.ts';

const context = { connector: 'erp', operation: 'get', entity: 'purchase_orders', key: '4500000012' };
const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('toErpError', () => {
  it('returns an ErpError as it is', () => {
    const original = new ErpError('conflict', 'changed since read', { connector: 'erp' });
    expect(toErpError(original, context)).toBe(original);
  });

  it('wraps anything else with connector, record, cause and a hint', () => {
    const cause = withCode('read ECONNRESET', 'ECONNRESET');
    const error = toErpError(cause, context);
    expect(error).toBeInstanceOf(ErpError);
    expect(error.kind).toBe('transient');
    expect(error.message).toBe('erp get failed: read ECONNRESET');
    expect(error.cause).toBe(cause);
    expect(error.context).toEqual({
      connector: 'erp',
      entity: 'purchase_orders',
      key: '4500000012',
      hint: 'the ERP or the network failed; trying again later may succeed',
    });
  });

  it('names where to look when the ERP cannot be reached', () => {
    const error = toErpError(withCode('connect ECONNREFUSED 127.0.0.1:4010', 'ECONNREFUSED'), context);
    expect(error.context.hint).toBe(
      'the ERP cannot be reached; is it running, and is connectors.erp pointing at it?',
    );
  });

  it('never repeats a secret the cause carries', () => {
    const error = toErpError(new Error('401 for token sk-live-123456'), {
      ...context,
      secrets: ['sk-live-123456'],
    });
    expect(error.message).toBe('erp get failed: 401 for token [redacted]');
  });

  it('a thrown string or object still becomes an ErpError', () => {
    expect(toErpError('boom', context).message).toBe('erp get failed: boom');
    expect(toErpError({ weird: true }, context).kind).toBe('permanent');
  });

  it('a real connection refused from undici is transient, with the code in its cause chain', async () => {
    const thrown = await request('http://127.0.0.1:1/').then(
      () => undefined,
      (caught: unknown) => caught,
    );
    const error = toErpError(thrown, context);
    expect(error.kind).toBe('transient');
    expect(error.context.hint).toContain('cannot be reached');
  });
});

describe('kindOf: rule by rule', () => {
  it.each<[string, unknown, ErrorKind]>([
    ['AbortSignal.timeout()', new DOMException('The operation timed out.', 'TimeoutError'), 'transient'],
    ['an AbortError', new DOMException('This operation was aborted', 'AbortError'), 'transient'],
    ['ECONNRESET', withCode('socket hang up', 'ECONNRESET'), 'transient'],
    ['ETIMEDOUT', withCode('connect ETIMEDOUT', 'ETIMEDOUT'), 'transient'],
    ['EPIPE', withCode('write EPIPE', 'EPIPE'), 'transient'],
    ['EAI_AGAIN', withCode('getaddrinfo EAI_AGAIN erp', 'EAI_AGAIN'), 'transient'],
    ['undici socket error', withCode('other side closed', 'UND_ERR_SOCKET'), 'transient'],
    ['undici headers timeout', withCode('Headers Timeout Error', 'UND_ERR_HEADERS_TIMEOUT'), 'transient'],
    [
      'a code on the cause',
      new TypeError('fetch failed', { cause: withCode('x', 'ECONNREFUSED') }),
      'transient',
    ],
    [
      'happy eyeballs AggregateError',
      new AggregateError([withCode('connect ECONNREFUSED ::1', 'ECONNREFUSED')], ''),
      'transient',
    ],
    ['ENOTFOUND: a wrong host name', withCode('getaddrinfo ENOTFOUND erp', 'ENOTFOUND'), 'permanent'],
    ['undici invalid argument: our bug', withCode('invalid method', 'UND_ERR_INVALID_ARG'), 'permanent'],
    ['a closed client: our bug', withCode('The client is closed', 'UND_ERR_CLOSED'), 'permanent'],
    ['statusCode 503', Object.assign(new Error('Service Unavailable'), { statusCode: 503 }), 'transient'],
    ['status 429', Object.assign(new Error('Too Many Requests'), { status: 429 }), 'rate_limited'],
    ['status 401', Object.assign(new Error('Unauthorized'), { status: 401 }), 'auth'],
    ['status 409', Object.assign(new Error('Conflict'), { status: 409 }), 'conflict'],
    ['status 422', Object.assign(new Error('Unprocessable'), { status: 422 }), 'validation'],
    [
      'status 200 is no failure status: ignored',
      Object.assign(new Error('odd'), { status: 200 }),
      'permanent',
    ],
    ['a JSON syntax error', new SyntaxError('Unexpected token <'), 'permanent'],
    ['a plain Error', new Error('something odd'), 'permanent'],
    ['a string', 'boom', 'permanent'],
    ['undefined', undefined, 'permanent'],
  ])('%s → %s', (_name, error, kind) => {
    expect(kindOf(error)).toBe(kind);
  });
});
