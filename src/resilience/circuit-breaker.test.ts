import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErpError, type ErrorKind } from '../errors/index.ts';
import {
  BreakerPolicy,
  type BreakerState,
  countsAsFailure,
  createCircuitBreaker,
} from './circuit-breaker.ts';
import { ResilienceError } from './resilience-error.ts';

beforeEach(() => {
  // cockatiel reads Date.now() for the open period: only the clock is faked.
  vi.useFakeTimers({ toFake: ['Date'], now: Date.parse('2026-01-01T12:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

const policy = BreakerPolicy.parse({ failureThreshold: 3, halfOpenAfterMs: 10_000 });
const fail = (kind: ErrorKind) => () => Promise.reject(new ErpError(kind, `GET /po answered ${kind}`));
const succeed = () => Promise.resolve('ok');

async function outcome(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => value,
    (error: unknown) => error,
  );
}

function watched() {
  const breaker = createCircuitBreaker('erp', policy);
  const states: BreakerState[] = [];
  breaker.onStateChange((state) => states.push(state));
  return { breaker, states };
}

describe('BreakerPolicy', () => {
  it('has the documented defaults', () => {
    expect(BreakerPolicy.parse({})).toEqual({
      failureThreshold: 5,
      halfOpenAfterMs: 10_000,
      maxPauseMs: 600_000,
    });
  });
  it.each([{ failureThreshold: 0 }, { halfOpenAfterMs: 0 }, { failureThreshold: 2.5 }])(
    '%j is refused',
    (input) => {
      expect(BreakerPolicy.safeParse(input).success).toBe(false);
    },
  );
});

describe('countsAsFailure', () => {
  it.each<[unknown, boolean]>([
    [new ErpError('transient', '503'), true],
    [new ErpError('rate_limited', '429'), true],
    [new ErpError('validation', '422'), false],
    [new ErpError('conflict', '412'), false],
    [new ErpError('auth', '401'), false],
    [new ErpError('permanent', '404'), false],
    [new DOMException('aborted', 'AbortError'), false],
    [new ResilienceError('rate_limited', 'queue-timeout', 'no slot'), false],
  ])('%s → %s', (error, counts) => {
    expect(countsAsFailure(error)).toBe(counts);
  });
});

describe('circuit breaker transitions', () => {
  it('closed → open after failureThreshold consecutive failures', async () => {
    const { breaker, states } = watched();
    await outcome(breaker.execute(fail('transient')));
    await outcome(breaker.execute(fail('rate_limited')));
    expect(breaker.state).toBe('closed');
    await outcome(breaker.execute(fail('transient')));
    expect(breaker.state).toBe('open');
    expect(breaker.opens).toBe(1);
    expect(states).toEqual(['open']);
  });

  it('a success resets the count', async () => {
    const { breaker } = watched();
    await outcome(breaker.execute(fail('transient')));
    await outcome(breaker.execute(fail('transient')));
    await breaker.execute(succeed);
    await outcome(breaker.execute(fail('transient')));
    await outcome(breaker.execute(fail('transient')));
    expect(breaker.state).toBe('closed');
  });

  it("the caller's faults neither count nor reset the count", async () => {
    const { breaker } = watched();
    await outcome(breaker.execute(fail('transient')));
    await outcome(breaker.execute(fail('transient')));
    for (const kind of ['validation', 'conflict', 'auth', 'permanent'] as const) {
      const error = await outcome(breaker.execute(fail(kind)));
      expect(error).toMatchObject({ kind });
    }
    expect(breaker.state).toBe('closed');
    await outcome(breaker.execute(fail('transient')));
    expect(breaker.state).toBe('open');
  });

  it('open: fails fast without calling, transient, retryAfterMs = time until half-open', async () => {
    const { breaker } = watched();
    for (let failure = 0; failure < 3; failure++) await outcome(breaker.execute(fail('transient')));
    vi.advanceTimersByTime(4000);
    const call = vi.fn(succeed);
    const error = await outcome(breaker.execute(call));
    expect(call).not.toHaveBeenCalled();
    expect(error).toBeInstanceOf(ResilienceError);
    if (!(error instanceof ResilienceError)) return;
    expect(error.kind).toBe('transient');
    expect(error.verdict).toBe('circuit-open');
    expect(error.retryAfterMs).toBe(6000);
    expect(error.message).toBe(
      'circuit open for connector erp after 3 consecutive failures; next probe in 6000 ms',
    );
    expect(error.context.hint).toBe(
      'the ERP is failing, so calls stop for connectors.erp.resilience.breaker.halfOpenAfterMs; ' +
        'last failure: transient: GET /po answered transient',
    );
    expect(breaker.msUntilHalfOpen()).toBe(6000);
  });

  it('open → half-open after halfOpenAfterMs; a successful probe closes', async () => {
    const { breaker, states } = watched();
    for (let failure = 0; failure < 3; failure++) await outcome(breaker.execute(fail('transient')));
    vi.advanceTimersByTime(10_000);
    let stateDuringProbe: BreakerState | undefined;
    await breaker.execute(async () => {
      // cockatiel marks the state half-open right after starting the probe.
      await Promise.resolve();
      stateDuringProbe = breaker.state;
      return 'ok';
    });
    expect(stateDuringProbe).toBe('half-open');
    expect(breaker.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
    expect(breaker.msUntilHalfOpen()).toBe(0);
  });

  it('half-open → open again when the probe fails, for another full period', async () => {
    const { breaker, states } = watched();
    for (let failure = 0; failure < 3; failure++) await outcome(breaker.execute(fail('transient')));
    vi.advanceTimersByTime(10_000);
    await outcome(breaker.execute(fail('transient')));
    expect(breaker.state).toBe('open');
    expect(breaker.opens).toBe(2);
    expect(states).toEqual(['open', 'half-open', 'open']);
    expect(await outcome(breaker.execute(succeed))).toMatchObject({ retryAfterMs: 10_000 });
  });

  it('one probe at a time: calls arriving meanwhile wait for its outcome', async () => {
    const { breaker } = watched();
    for (let failure = 0; failure < 3; failure++) await outcome(breaker.execute(fail('transient')));
    vi.advanceTimersByTime(10_000);
    let finishProbe: (value: string) => void = () => undefined;
    const probe = breaker.execute(() => new Promise<string>((resolve) => (finishProbe = resolve)));
    const follower = vi.fn(succeed);
    const following = breaker.execute(follower);
    await Promise.resolve();
    expect(follower).not.toHaveBeenCalled();
    finishProbe('probed');
    await expect(probe).resolves.toBe('probed');
    await expect(following).resolves.toBe('ok');
    expect(follower).toHaveBeenCalledOnce();
  });

  it('calls waiting for a failing probe fail fast', async () => {
    const { breaker } = watched();
    for (let failure = 0; failure < 3; failure++) await outcome(breaker.execute(fail('transient')));
    vi.advanceTimersByTime(10_000);
    const probe = outcome(breaker.execute(fail('transient')));
    const follower = vi.fn(succeed);
    const following = outcome(breaker.execute(follower));
    await probe;
    expect(await following).toMatchObject({ verdict: 'circuit-open' });
    expect(follower).not.toHaveBeenCalled();
  });

  it('listeners can be removed', async () => {
    const { breaker } = watched();
    const heard: BreakerState[] = [];
    const stop = breaker.onStateChange((state) => heard.push(state));
    stop();
    for (let failure = 0; failure < 3; failure++) await outcome(breaker.execute(fail('transient')));
    expect(heard).toEqual([]);
  });
});
