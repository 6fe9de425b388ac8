import { describe, expect, it } from 'vitest';
import { ErpError } from '../../errors/index.ts';
import { RetryPolicy } from '../../resilience/retry-policy.ts';
import { withLlmRetry } from './llm-retry.ts';

const policy = RetryPolicy.parse({
  maxAttempts: 3,
  baseDelayMs: 1,
  maxDelayMs: 5,
  jitter: 'none',
  maxRetryAfterMs: 1000,
});
const asIs = (thrown: unknown) =>
  thrown instanceof ErpError ? thrown : new ErpError('permanent', String(thrown));

describe('withLlmRetry', () => {
  it('retries transient and rate-limited failures, honouring Retry-After', async () => {
    const failures = [
      new ErpError('rate_limited', '429', { retryAfterMs: 30 }),
      new ErpError('transient', '500', { retryAfterMs: 20 }),
    ];
    const started = Date.now();
    const outcome = await withLlmRetry(
      async () => {
        const failure = failures.shift();
        if (failure) throw failure;
        return 'answer';
      },
      policy,
      new AbortController().signal,
      asIs,
    );
    expect(outcome).toEqual({ value: 'answer', attempts: 3 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('does not retry what cannot succeed, nor past maxAttempts, nor a wait over maxRetryAfterMs', async () => {
    let calls = 0;
    const failing = (error: ErpError) => async () => {
      calls++;
      throw error;
    };
    const signal = new AbortController().signal;
    await expect(
      withLlmRetry(failing(new ErpError('auth', '401')), policy, signal, asIs),
    ).rejects.toMatchObject({ kind: 'auth' });
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      withLlmRetry(failing(new ErpError('transient', '503')), policy, signal, asIs),
    ).rejects.toMatchObject({
      kind: 'transient',
    });
    expect(calls).toBe(3);
    calls = 0;
    const tooLong = new ErpError('rate_limited', '429', { retryAfterMs: 5000 });
    await expect(withLlmRetry(failing(tooLong), policy, signal, asIs)).rejects.toBe(tooLong);
    expect(calls).toBe(1);
  });

  it('ends a wait at once when the caller aborts, with the caller’s reason', async () => {
    const controller = new AbortController();
    const reason = new Error('run cancelled');
    const pending = withLlmRetry(
      async () => {
        throw new ErpError('rate_limited', '429', { retryAfterMs: 900 });
      },
      policy,
      controller.signal,
      asIs,
    );
    setTimeout(() => controller.abort(reason), 20);
    const started = Date.now();
    await expect(pending).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(500);
  });
});
