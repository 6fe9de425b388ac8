import { describe, expect, test } from 'vitest';
import type { FaultConfig } from './fault-config.ts';
import { type Admission, createFaultInjector } from './fault-injector.ts';

/** A clock the test moves by hand. */
function manualClock(start = Date.parse('2025-06-15T10:00:00.000Z')) {
  let time = start;
  return {
    now: () => time,
    advance(ms: number) {
      time += ms;
    },
  };
}

const outcome = (admission: Admission) =>
  admission.kind === 'proceed' ? 'ok' : admission.kind === 'refuse' ? admission.fault : admission.kind;

describe('createFaultInjector', () => {
  test('without faults every request proceeds at once and no answer is lost', () => {
    const faults = createFaultInjector();
    expect(faults.config).toEqual({});
    expect(faults.oauth).toBeNull();
    expect(faults.admit('reads')).toEqual({ kind: 'proceed', delayMs: 0 });
    expect(faults.admit('writes')).toEqual({ kind: 'proceed', delayMs: 0 });
    expect(faults.loseAnswer('writes')).toBeNull();
  });

  test('the same seed gives the same faults; applying the config again starts them over', () => {
    const config: FaultConfig = { seed: 3, errors: { rates: { '500': 0.3 } }, hangs: { rate: 0.1 } };
    const run = (faults = createFaultInjector(config)) =>
      Array.from({ length: 200 }, () => outcome(faults.admit('reads')));
    const first = run();
    expect(run()).toEqual(first);
    const reused = createFaultInjector(config);
    run(reused);
    reused.apply(config);
    expect(run(reused)).toEqual(first);
    expect(run(createFaultInjector({ ...config, seed: 4 }))).not.toEqual(first);
  });

  test('jitter does not change which requests fail (separate draws)', () => {
    const base: FaultConfig = { seed: 9, errors: { rates: { '503': 0.2 } } };
    const plain = createFaultInjector(base);
    const jittery = createFaultInjector({ ...base, latency: { jitterMs: 50 } });
    const faultsOf = (faults: ReturnType<typeof createFaultInjector>) =>
      Array.from({ length: 100 }, () => outcome(faults.admit('reads')));
    expect(faultsOf(jittery)).toEqual(faultsOf(plain));
  });

  test('maintenance: a 503 with Retry-After for the window, measured from when the config was applied', () => {
    const clock = manualClock();
    const faults = createFaultInjector({ maintenance: { startAfterMs: 1000, durationMs: 2500 } }, clock.now);
    expect(outcome(faults.admit('reads'))).toBe('ok');
    clock.advance(1000);
    const refused = faults.admit('writes');
    expect(refused).toMatchObject({
      kind: 'refuse',
      fault: '503-maintenance',
      status: 503,
      headers: { 'retry-after': '3' },
      body: {
        error: 'unavailable',
        message: expect.stringContaining('maintenance until 2025-06-15T10:00:03.500Z'),
      },
    });
    clock.advance(2499);
    expect(faults.admit('reads')).toMatchObject({
      fault: '503-maintenance',
      headers: { 'retry-after': '1' },
    });
    clock.advance(1);
    expect(outcome(faults.admit('reads'))).toBe('ok');
    faults.apply({ maintenance: { durationMs: 10 } });
    expect(outcome(faults.admit('reads'))).toBe('503-maintenance');
  });

  test('a maintenance started by hand hits reads and writes, outlives apply, and ends with clear', () => {
    const clock = manualClock();
    const faults = createFaultInjector({ maintenance: { durationMs: 10, target: 'writes' } }, clock.now);
    clock.advance(20);
    const window = faults.startMaintenance(5000);
    expect(window).toEqual({ from: clock.now(), until: clock.now() + 5000 });
    expect(outcome(faults.admit('reads'))).toBe('503-maintenance');
    faults.apply({});
    expect(outcome(faults.admit('writes'))).toBe('503-maintenance');
    faults.clear();
    expect(outcome(faults.admit('writes'))).toBe('ok');
  });

  test('rate limit: a burst at once, then 429 with the wait for the next token', () => {
    const clock = manualClock();
    const faults = createFaultInjector({ rateLimit: { requestsPerSecond: 4, burst: 2 } }, clock.now);
    expect([1, 2, 3].map(() => outcome(faults.admit('reads')))).toEqual(['ok', 'ok', '429']);
    expect(faults.admit('writes')).toMatchObject({
      status: 429,
      headers: { 'retry-after': '1' },
      body: { error: 'rate_limited' },
    });
    clock.advance(250);
    expect(outcome(faults.admit('reads'))).toBe('ok');
    expect(outcome(faults.admit('reads'))).toBe('429');
  });

  test('rate limit with Retry-After as an HTTP-date', () => {
    const clock = manualClock();
    const faults = createFaultInjector(
      { rateLimit: { requestsPerSecond: 0.5, burst: 1, retryAfter: 'http-date' } },
      clock.now,
    );
    faults.admit('reads');
    expect(faults.admit('reads')).toMatchObject({
      headers: { 'retry-after': 'Sun, 15 Jun 2025 10:00:02 GMT' },
    });
  });

  test('bursts429: after every N requests the next `length` get 429 with Retry-After 1', () => {
    const faults = createFaultInjector({ bursts429: { every: 5, length: 2 } });
    const outcomes = Array.from({ length: 12 }, () => outcome(faults.admit('reads')));
    expect(outcomes).toEqual([
      ...['ok', 'ok', 'ok', 'ok', 'ok', '429-burst', '429-burst'],
      ...['ok', 'ok', 'ok', '429-burst', '429-burst'],
    ]);
  });

  test('errors answer with the status and a JSON error body', () => {
    const faults = createFaultInjector({ errors: { rates: { '502': 1 } } });
    expect(faults.admit('reads')).toEqual({
      kind: 'refuse',
      fault: 'error-502',
      status: 502,
      headers: {},
      body: { error: 'bad_gateway', message: 'the ERP failed to answer (sandbox fault errors.rates.502)' },
    });
  });

  test('a fault aimed at reads leaves writes alone, and the other way round', () => {
    const faults = createFaultInjector({
      target: 'reads',
      hangs: { rate: 1 },
      resets: { rate: 1, target: 'writes' },
      latency: { fixedMs: 7 },
    });
    expect(faults.admit('reads')).toEqual({ kind: 'hang', fault: 'hang' });
    expect(faults.admit('writes')).toEqual({ kind: 'reset', fault: 'reset' });
    const latencyForWrites = createFaultInjector({ latency: { fixedMs: 7, target: 'writes' } });
    expect(latencyForWrites.admit('reads')).toEqual({ kind: 'proceed', delayMs: 0 });
    expect(latencyForWrites.admit('writes')).toEqual({ kind: 'proceed', delayMs: 7 });
  });

  test('methods that are neither reads nor writes are never faulted', () => {
    const faults = createFaultInjector({
      errors: { rates: { '500': 1 } },
      maintenance: { durationMs: 1000 },
    });
    expect(faults.admit(null)).toEqual({ kind: 'proceed', delayMs: 0 });
  });

  test('degradation adds a share per other request in flight; release ends a turn', () => {
    const faults = createFaultInjector({ degradation: { baseLatencyMs: 5, perConcurrentMs: 4 } });
    const delays = [1, 2, 3].map(() => faults.admit('reads'));
    expect(delays.map((admission) => (admission.kind === 'proceed' ? admission.delayMs : -1))).toEqual([
      5, 9, 13,
    ]);
    faults.release();
    faults.release();
    expect(faults.admit('reads')).toEqual({ kind: 'proceed', delayMs: 9 });
  });

  test('degradation with workers: past them, the delay grows as a queue would', () => {
    const faults = createFaultInjector({
      degradation: { baseLatencyMs: 10, perConcurrentMs: 5, workers: 2 },
    });
    const delays = [1, 2, 3, 4].map(() => faults.admit('reads'));
    expect(delays.map((admission) => (admission.kind === 'proceed' ? admission.delayMs : -1))).toEqual([
      10, 15, 23, 30,
    ]);
  });

  test('latency: fixed plus seeded jitter within its range', () => {
    const faults = createFaultInjector({ seed: 1, latency: { fixedMs: 20, jitterMs: 30 } });
    const delays = Array.from({ length: 500 }, () => {
      const admission = faults.admit('reads');
      return admission.kind === 'proceed' ? admission.delayMs : -1;
    });
    expect(Math.min(...delays)).toBe(20);
    expect(Math.max(...delays)).toBe(50);
  });

  test('lost answers: writes only, at the rate, in the configured mode', () => {
    const faults = createFaultInjector({ seed: 5, lostAnswers: { rate: 0.25, mode: 'hang' } });
    expect(Array.from({ length: 50 }, () => faults.loseAnswer('reads')).every((mode) => mode === null)).toBe(
      true,
    );
    const lost = Array.from({ length: 4000 }, () => faults.loseAnswer('writes'));
    expect(new Set(lost)).toEqual(new Set([null, 'hang']));
    expect(lost.filter((mode) => mode === 'hang').length / lost.length).toBeCloseTo(0.25, 1);
    expect(createFaultInjector({ lostAnswers: { rate: 1 } }).loseAnswer('writes')).toBe('502');
  });

  test('oauth is exposed with its defaults', () => {
    const faults = createFaultInjector({ oauth: { clientId: 'c', clientSecret: 's' } });
    expect(faults.oauth).toEqual({ clientId: 'c', clientSecret: 's', tokenTtlSeconds: 3600 });
    faults.clear();
    expect(faults.oauth).toBeNull();
  });
});
