import { describe, expect, it } from 'vitest';
import { ErpError } from '../errors/index.ts';
import { provablyNotApplied } from './write-outcome.ts';

const answered = (status: number) =>
  new ErpError(status === 429 ? 'rate_limited' : 'transient', `PATCH answered ${status}`, { status });
const failed = (code: string) =>
  new ErpError('transient', `PATCH failed: ${code}`, { cause: Object.assign(new Error(code), { code }) });

describe('provablyNotApplied', () => {
  it.each([408, 425, 429, 503])('%i refuses before processing: not applied', (status) => {
    expect(provablyNotApplied(answered(status))).toBe(true);
  });

  it.each([500, 502, 504])('%i may come after processing: unknown', (status) => {
    expect(provablyNotApplied(answered(status))).toBe(false);
  });

  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'])(
    '%s: no connection was made, nothing was sent',
    (code) => {
      expect(provablyNotApplied(failed(code))).toBe(true);
    },
  );

  it.each(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT'])(
    '%s may strike after the request was sent: unknown',
    (code) => {
      expect(provablyNotApplied(failed(code))).toBe(false);
    },
  );

  it('a timeout without a code proves nothing', () => {
    expect(provablyNotApplied(new ErpError('transient', 'did not finish within 10000 ms'))).toBe(false);
  });

  it('finds the code deep in the cause chain', () => {
    const inner = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const error = new ErpError('transient', 'failed', {
      cause: new TypeError('fetch failed', { cause: inner }),
    });
    expect(provablyNotApplied(error)).toBe(true);
  });
});
