import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { exchangeDeadline } from './exchange-deadline.ts';

describe('exchangeDeadline', () => {
  it('aborts at the deadline and says it timed out', async () => {
    const deadline = exchangeDeadline(undefined, 20);
    try {
      expect(deadline.signal.aborted).toBe(false);
      await sleep(60);
      expect(deadline.signal.aborted).toBe(true);
      expect(deadline.timedOut).toBe(true);
    } finally {
      deadline.clear();
    }
  });

  it('aborts with the caller’s reason when the caller gives up, which is no timeout', () => {
    const caller = new AbortController();
    const deadline = exchangeDeadline(caller.signal, 10_000);
    try {
      const reason = new Error('the run was cancelled');
      caller.abort(reason);
      expect(deadline.signal.aborted).toBe(true);
      expect(deadline.signal.reason).toBe(reason);
      expect(deadline.timedOut).toBe(false);
    } finally {
      deadline.clear();
    }
  });

  it('throws the caller’s reason at once when the caller has aborted already', () => {
    const reason = new Error('already cancelled');
    expect(() => exchangeDeadline(AbortSignal.abort(reason), 10_000)).toThrow(reason);
  });

  it('after clear, neither the deadline nor the caller aborts it', async () => {
    const caller = new AbortController();
    const deadline = exchangeDeadline(caller.signal, 20);
    deadline.clear();
    caller.abort(new Error('too late'));
    await sleep(60);
    expect(deadline.signal.aborted).toBe(false);
    expect(deadline.timedOut).toBe(false);
  });
});
