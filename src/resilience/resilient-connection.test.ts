import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Connection, RecordPage } from '../connectors/contract.ts';
import { RestConfigSchema, restConnector } from '../connectors/rest/index.ts';
import { ErpError } from '../errors/index.ts';
import { rejectionOf } from '../errors/test-errors.ts';
import { type FlakyErp, startFlakyErp } from './flaky-erp-server.ts';
import { ResiliencePolicies, type ResiliencePoliciesInput } from './resilience-config.ts';
import { isOutcomeUnknown, ResilienceError } from './resilience-error.ts';
import { type ResilienceEvent, type ResilientConnection, withResilience } from './resilient-connection.ts';

/**
 * The wrapper around the real rest connector, against a real HTTP server on 127.0.0.1 whose
 * faults each test scripts.
 */

let erp: FlakyErp;
const opened: Connection[] = [];

beforeEach(async () => {
  erp = await startFlakyErp();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((connection) => connection.close()));
  await erp.close();
});

/** Fast, deterministic retries unless a test says otherwise. */
const FAST_RETRY = { baseDelayMs: 5, maxDelayMs: 20, jitter: 'none' } as const;

async function connect(
  policies: ResiliencePoliciesInput = {},
  events: ResilienceEvent[] = [],
  url = erp.url,
): Promise<ResilientConnection> {
  const config = RestConfigSchema.parse({
    kind: 'rest',
    baseUrl: url,
    // Longer than the wrapper's timeouts here: the wrapper is what is under test.
    timeoutMs: 3000,
    pagination: { totalPath: 'total', pageSize: 5 },
    entities: { purchase_orders: { path: '/po', keyField: 'po_number', write: { method: 'PATCH' } } },
  });
  const connection = await restConnector.connect(config, { name: 'erp', env: {} });
  opened.push(connection);
  return withResilience(connection, ResiliencePolicies.parse({ retry: FAST_RETRY, ...policies }), {
    connector: 'erp',
    onEvent: (event) => events.push(event),
  });
}

const write = (key: string, amount: number) => ({ entity: 'purchase_orders', key, fields: { amount } });
const retries = (events: ResilienceEvent[]) => events.filter((event) => event.kind === 'retry');

describe('get: retried per request', () => {
  it('flaky 503 twice, then success: retried, counted', async () => {
    erp.script = (_request, index) => (index < 2 ? { kind: 'status', status: 503 } : { kind: 'ok' });
    const events: ResilienceEvent[] = [];
    const connection = await connect({}, events);
    const order = await connection.get('purchase_orders', 'PO-0003');
    expect(order?.data).toMatchObject({ po_number: 'PO-0003', amount: 30 });
    expect(erp.requests).toHaveLength(3);
    const figures = connection.figures();
    expect(figures).toMatchObject({ calls: 1, requests: 3, retries: 2, rateLimited: 0 });
    expect(figures.failures.transient).toBe(2);
    expect(retries(events).map((event) => [event.attempt, event.delayMs, event.basis])).toEqual([
      [1, 5, 'backoff'],
      [2, 10, 'backoff'],
    ]);
  });

  it('429 with Retry-After: 1 is honoured — the next request comes at least 1 s later', async () => {
    erp.script = (_request, index) =>
      index === 0 ? { kind: 'status', status: 429, retryAfter: '1' } : { kind: 'ok' };
    const events: ResilienceEvent[] = [];
    const connection = await connect({}, events);
    await connection.get('purchase_orders', 'PO-0001');
    const [first, second] = erp.requests;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(retries(events)).toEqual([expect.objectContaining({ delayMs: 1000, basis: 'retry-after' })]);
    expect(connection.figures()).toMatchObject({ rateLimited: 1, retries: 1 });
  });

  it('a Retry-After above maxRetryAfterMs fails at once instead of sleeping, and says so', async () => {
    erp.script = () => ({ kind: 'status', status: 429, retryAfter: '300' });
    const connection = await connect({ retry: { ...FAST_RETRY, maxRetryAfterMs: 60_000 } });
    const started = performance.now();
    const error = await rejectionOf(connection.get('purchase_orders', 'PO-0001'), ErpError);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error).toBeInstanceOf(ResilienceError);
    expect(error).toMatchObject({
      kind: 'rate_limited',
      verdict: 'retry-after-too-long',
      retryAfterMs: 300_000,
    });
    expect(error.message).toMatch(
      /answered 429 Too Many Requests.*; the ERP asks to wait 300 s, more than retry.maxRetryAfterMs \(60000 ms\), so the call fails instead of sleeping$/,
    );
    expect(erp.requests).toHaveLength(1);
  });

  it('a hanging ERP: every attempt ends at timeoutMs, then the call gives up', async () => {
    erp.script = () => ({ kind: 'hang' });
    const connection = await connect({ timeoutMs: 150, retry: { ...FAST_RETRY, maxAttempts: 2 } });
    const started = performance.now();
    const error = await rejectionOf(connection.get('purchase_orders', 'PO-0001'), ErpError);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error.kind).toBe('transient');
    expect(error.message).toBe('erp get purchase_orders PO-0001 did not finish within 150 ms');
    expect(erp.requests).toHaveLength(2);
  });

  it('what retrying cannot fix is not retried: a 404 is null, a 401 is thrown at once', async () => {
    const connection = await connect();
    expect(await connection.get('purchase_orders', 'PO-9999')).toBeNull();
    erp.script = () => ({ kind: 'status', status: 401 });
    expect((await rejectionOf(connection.get('purchase_orders', 'PO-0001'), ErpError)).kind).toBe('auth');
    expect(erp.requests).toHaveLength(2);
  });

  it("the caller's abort ends the backoff sleep at once, with the caller's reason", async () => {
    erp.script = () => ({ kind: 'status', status: 503 });
    const connection = await connect({ retry: { baseDelayMs: 5000, maxDelayMs: 5000, jitter: 'none' } });
    const controller = new AbortController();
    const reason = new Error('run cancelled');
    setTimeout(() => controller.abort(reason), 100);
    const started = performance.now();
    await expect(connection.get('purchase_orders', 'PO-0001', controller.signal)).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(erp.requests).toHaveLength(1);
  });
});

describe('write: retried only when nothing was applied', () => {
  it('429 then success: retried, applied exactly once', async () => {
    erp.script = (_request, index) => (index === 0 ? { kind: 'status', status: 429 } : { kind: 'ok' });
    const connection = await connect();
    const result = await connection.write(write('PO-0002', 99));
    expect(result.record?.data).toMatchObject({ amount: 99, revision: 2 });
    expect(erp.applied).toEqual(['PO-0002']);
    expect(erp.requests).toHaveLength(2);
  });

  it('503 before processing then success: retried, applied once', async () => {
    erp.script = (_request, index) => (index < 2 ? { kind: 'status', status: 503 } : { kind: 'ok' });
    const connection = await connect();
    await connection.write(write('PO-0002', 5));
    expect(erp.applied).toEqual(['PO-0002']);
    expect(connection.figures().retries).toBe(2);
  });

  it('connection refused: nothing was sent, so it is retried; in the end the refusal itself is thrown', async () => {
    const closedPort = await freePort();
    const connection = await connect(
      { retry: { ...FAST_RETRY, maxAttempts: 3 } },
      [],
      `http://127.0.0.1:${closedPort}`,
    );
    const error = await rejectionOf(connection.write(write('PO-0002', 5)), ErpError);
    expect(error).not.toBeInstanceOf(ResilienceError);
    expect(error.kind).toBe('transient');
    expect(error.message).toContain('ECONNREFUSED');
    expect(connection.figures()).toMatchObject({ requests: 3, retries: 2 });
  });

  it.each([
    ['502 after the ERP applied it', { kind: 'status', status: 502, applied: true } as const],
    ['a reset after the ERP applied it', { kind: 'reset', applied: true } as const],
    ['a timeout after the ERP applied it', { kind: 'hang', applied: true } as const],
  ])('%s: not retried; outcome unknown, with a hint to re-read', async (_name, fault) => {
    erp.script = () => fault;
    const events: ResilienceEvent[] = [];
    const connection = await connect({ timeoutMs: 200 }, events);
    const error = await rejectionOf(connection.write(write('PO-0004', 7)), ErpError);
    expect(isOutcomeUnknown(error)).toBe(true);
    expect(error.kind).toBe('transient');
    expect(error.message).toMatch(/; the write may or may not have been applied$/);
    expect(error.context).toMatchObject({
      connector: 'erp',
      entity: 'purchase_orders',
      key: 'PO-0004',
      hint: 'the outcome is unknown: read purchase_orders PO-0004 again and compare before writing again',
    });
    expect(error.cause).toBeInstanceOf(ErpError);
    // It was applied, once, and not tried again.
    expect(erp.applied).toEqual(['PO-0004']);
    expect(erp.requests).toHaveLength(1);
    expect(events).toContainEqual(expect.objectContaining({ kind: 'gave-up', reason: 'outcome-unknown' }));
  });

  it('a validation error is the caller’s: thrown as it is, not retried', async () => {
    const connection = await connect();
    const error = await rejectionOf(connection.write(write('PO-0002', -1)), ErpError);
    expect(error).toMatchObject({ kind: 'validation', context: { field: 'amount', status: 422 } });
    expect(erp.requests).toHaveLength(1);
  });
});

describe('read: a failed page is asked again, from the last cursor, never from the start', () => {
  async function readAll(
    connection: ResilientConnection,
  ): Promise<{ pages: RecordPage[]; error?: ErpError }> {
    const pages: RecordPage[] = [];
    try {
      for await (const page of connection.read({ entity: 'purchase_orders' })) pages.push(page);
      return { pages };
    } catch (error) {
      if (!(error instanceof ErpError)) throw error;
      return { pages, error };
    }
  }
  const keys = (pages: RecordPage[]) => pages.flatMap((page) => page.records.map((record) => record.key));
  const pageUrls = () =>
    erp.requests.map((request) => new URL(request.url, erp.url).searchParams.get('page'));

  it('a first page failing with 503 is asked again; the read completes without duplicates', async () => {
    erp.script = (_request, index) => (index === 0 ? { kind: 'status', status: 503 } : { kind: 'ok' });
    const connection = await connect();
    const { pages, error } = await readAll(connection);
    expect(error).toBeUndefined();
    expect(keys(pages)).toEqual([...erp.purchaseOrders.keys()]);
    expect(pageUrls()).toEqual(['1', '1', '2', '3']);
    expect(connection.figures()).toMatchObject({ calls: 1, requests: 4, retries: 1 });
  });

  it('a later page failing is asked again from the cursor: no page and no record twice', async () => {
    let failures = 0;
    erp.script = (request) =>
      request.url.includes('page=2') && failures++ === 0 ? { kind: 'status', status: 503 } : { kind: 'ok' };
    const connection = await connect();
    const { pages, error } = await readAll(connection);
    expect(error).toBeUndefined();
    expect(keys(pages)).toEqual([...erp.purchaseOrders.keys()]);
    expect(pageUrls()).toEqual(['1', '2', '2', '3']);
    expect(connection.figures()).toMatchObject({ calls: 1, retries: 1 });
  });

  it('a later page that keeps failing ends the read after its retries, with what came before kept', async () => {
    erp.script = (request) =>
      request.url.includes('page=2') ? { kind: 'status', status: 503 } : { kind: 'ok' };
    const events: ResilienceEvent[] = [];
    const connection = await connect({ breaker: { maxPauseMs: 0 } }, events);
    const { pages, error } = await readAll(connection);
    expect(keys(pages)).toEqual(['PO-0001', 'PO-0002', 'PO-0003', 'PO-0004', 'PO-0005']);
    expect(error).toMatchObject({ kind: 'transient', context: { status: 503 } });
    expect(pageUrls().filter((page) => page === '1')).toHaveLength(1);
    expect(pageUrls().filter((page) => page === '2').length).toBeGreaterThan(1);
  });

  it('a page that hangs ends at timeoutMs', async () => {
    erp.script = (request) => (request.url.includes('page=2') ? { kind: 'hang' } : { kind: 'ok' });
    const connection = await connect({ timeoutMs: 200, breaker: { maxPauseMs: 0 } });
    const started = performance.now();
    const { pages, error } = await readAll(connection);
    expect(performance.now() - started).toBeLessThan(1500);
    expect(pages).toHaveLength(1);
    expect(error?.message).toBe('erp read purchase_orders did not finish within 200 ms');
  });

  it('a consumer that stops early asks for no more pages', async () => {
    const connection = await connect();
    for await (const page of connection.read({ entity: 'purchase_orders' })) {
      expect(page.records).toHaveLength(5);
      break;
    }
    expect(pageUrls()).toEqual(['1']);
  });
});

describe('circuit breaker', () => {
  it('opens after N consecutive failures, fails fast while open, then a probe closes it', async () => {
    let healthy = false;
    erp.script = () => (healthy ? { kind: 'ok' } : { kind: 'status', status: 503 });
    const events: ResilienceEvent[] = [];
    const connection = await connect(
      {
        retry: { ...FAST_RETRY, maxAttempts: 1 },
        breaker: { failureThreshold: 3, halfOpenAfterMs: 300, maxPauseMs: 0 },
      },
      events,
    );
    for (let call = 0; call < 3; call++) {
      expect((await rejectionOf(connection.get('purchase_orders', 'PO-0001'), ErpError)).context.status).toBe(
        503,
      );
    }
    expect(connection.figures().breaker).toEqual({ state: 'open', opens: 1 });

    const started = performance.now();
    const fast = await rejectionOf(connection.get('purchase_orders', 'PO-0001'), ErpError);
    expect(performance.now() - started).toBeLessThan(100);
    expect(fast).toMatchObject({ kind: 'transient', verdict: 'circuit-open' });
    expect(fast.message).toMatch(
      /^circuit open for connector erp after 3 consecutive failures; next probe in \d+ ms$/,
    );
    expect(fast.retryAfterMs).toBeGreaterThan(200);
    expect(fast.retryAfterMs).toBeLessThanOrEqual(300);
    expect(erp.requests).toHaveLength(3);

    healthy = true;
    await new Promise((resolve) => setTimeout(resolve, fast.retryAfterMs));
    expect(await connection.get('purchase_orders', 'PO-0001')).not.toBeNull();
    expect(connection.figures().breaker).toEqual({ state: 'closed', opens: 1 });
    expect(events.filter((event) => event.kind === 'circuit').map((event) => event.state)).toEqual([
      'open',
      'half-open',
      'closed',
    ]);
  });

  it('sees every attempt: it opens in the middle of a call’s retries and stops them', async () => {
    erp.script = () => ({ kind: 'status', status: 503 });
    const connection = await connect({
      retry: { ...FAST_RETRY, maxAttempts: 10 },
      breaker: { failureThreshold: 3, maxPauseMs: 0 },
    });
    const error = await rejectionOf(connection.get('purchase_orders', 'PO-0001'), ErpError);
    expect(error).toMatchObject({ verdict: 'circuit-open' });
    expect(erp.requests).toHaveLength(3);
  });
});

describe('circuit breaker: a call pauses while the circuit is open', () => {
  it('waits for the probe instead of failing, sends nothing meanwhile, and completes once the ERP is back', async () => {
    let healthy = true;
    erp.script = () => (healthy ? { kind: 'ok' } : { kind: 'status', status: 503 });
    const events: ResilienceEvent[] = [];
    const connection = await connect(
      { retry: { ...FAST_RETRY, maxAttempts: 3 }, breaker: { failureThreshold: 3, halfOpenAfterMs: 200 } },
      events,
    );
    // It answered once: a later outage is waited out.
    expect(await connection.get('purchase_orders', 'PO-0001')).not.toBeNull();
    healthy = false;
    erp.requests.length = 0;
    setTimeout(() => {
      healthy = true;
    }, 500);
    const started = performance.now();
    expect(await connection.get('purchase_orders', 'PO-0001')).not.toBeNull();
    expect(performance.now() - started).toBeGreaterThanOrEqual(450);
    // Three failures open it; while open nothing is sent; probes every 200 ms until one succeeds.
    expect(erp.requests.length).toBeLessThanOrEqual(3 + 4);
    expect(
      events
        .filter((event) => event.kind === 'circuit')
        .map((event) => event.state)
        .at(-1),
    ).toBe('closed');
  });

  it('gives up once the pause allowance is spent', async () => {
    erp.script = () => ({ kind: 'status', status: 503 });
    const connection = await connect({
      retry: { ...FAST_RETRY, maxAttempts: 3 },
      breaker: { failureThreshold: 3, halfOpenAfterMs: 100, maxPauseMs: 250 },
    });
    const error = await rejectionOf(connection.get('purchase_orders', 'PO-0001'), ErpError);
    expect(error.kind).toBe('transient');
    expect(erp.requests.length).toBeLessThanOrEqual(6);
  });
});

describe('rate limit and concurrency', () => {
  it('never more than burst + requestsPerSecond requests in any one-second window, nor maxInFlight at once', async () => {
    erp.script = () => ({ kind: 'slow', ms: 5 });
    const connection = await connect({ rateLimit: { requestsPerSecond: 20, burst: 2, maxInFlight: 4 } });
    const started = performance.now();
    await Promise.all(Array.from({ length: 40 }, () => connection.get('purchase_orders', 'PO-0001')));
    const elapsed = performance.now() - started;
    const arrivals = erp.requests.map((request) => request.at);
    const busiestSecond = Math.max(
      ...arrivals.map((start) => arrivals.filter((at) => at >= start && at < start + 1000).length),
    );
    expect(busiestSecond).toBeLessThanOrEqual(22);
    // 2 at once, then 38 at 20/s.
    expect(elapsed).toBeGreaterThanOrEqual(1850);
    expect(erp.peakInFlight).toBeLessThanOrEqual(4);
    expect(connection.figures().concurrency).toMatchObject({ inFlight: 0, limit: 4, max: 4 });
  });

  it('every retry is a request and takes its own token: retries never outrun the rate limit', async () => {
    erp.script = (_request, index) => (index < 2 ? { kind: 'status', status: 503 } : { kind: 'ok' });
    const connection = await connect({ rateLimit: { requestsPerSecond: 5, burst: 1 } });
    await connection.get('purchase_orders', 'PO-0001');
    const gaps = erp.requests.slice(1).map((request, index) => request.at - (erp.requests[index]?.at ?? 0));
    // 5/s is one every 200 ms, although the backoff asked for 5 and 10 ms.
    expect(gaps).toHaveLength(2);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(190);
  });

  it('a call that cannot get a slot within maxWaitMs fails without being sent', async () => {
    erp.script = () => ({ kind: 'hang' });
    const connection = await connect({
      timeoutMs: 1000,
      retry: { ...FAST_RETRY, maxAttempts: 1 },
      rateLimit: { maxInFlight: 1, maxWaitMs: 100 },
    });
    const blocking = rejectionOf(connection.get('purchase_orders', 'PO-0001'), ErpError);
    const queued = await rejectionOf(connection.get('purchase_orders', 'PO-0002'), ErpError);
    expect(queued).toMatchObject({ kind: 'rate_limited', verdict: 'queue-timeout' });
    expect(queued.message).toBe(
      'connector erp: no request slot within 100 ms (1 waiting, 1 in flight); nothing was sent',
    );
    expect(erp.requests).toHaveLength(1);
    await blocking;
  });

  it('adaptive: the limit falls under induced 503s and recovers when they stop', async () => {
    let failing = false;
    erp.script = () => (failing ? { kind: 'status', status: 503 } : { kind: 'slow', ms: 10 });
    const events: ResilienceEvent[] = [];
    const connection = await connect(
      {
        retry: { maxAttempts: 1 },
        breaker: { failureThreshold: 1000 },
        rateLimit: { maxInFlight: 8 },
        adaptive: { enabled: true, initial: 2, min: 1, max: 8, window: 5, latencyTolerance: 3 },
      },
      events,
    );
    const limit = () => connection.figures().concurrency.limit;
    const hammer = async (done: () => boolean) => {
      const deadline = Date.now() + 4000;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (!done() && Date.now() < deadline) {
            await connection.get('purchase_orders', 'PO-0001').catch((error: unknown) => {
              if (!(error instanceof ErpError)) throw error;
            });
          }
        }),
      );
    };

    await hammer(() => limit() === 8);
    expect(limit()).toBe(8);
    const peakBefore = erp.peakInFlight;

    failing = true;
    await hammer(() => limit() === 1);
    expect(limit()).toBe(1);

    failing = false;
    await hammer(() => limit() >= 6);
    expect(limit()).toBeGreaterThanOrEqual(6);

    const history = connection.figures().concurrency.history.map((point) => point.limit);
    expect(history[0]).toBe(2);
    expect(Math.min(...history)).toBe(1);
    expect(peakBefore).toBeGreaterThanOrEqual(6);
    expect(events.some((event) => event.kind === 'concurrency')).toBe(true);
  });
});

describe('figures and test()', () => {
  it('latency quantiles from a bounded histogram, and the fixed limit as a one-point history', async () => {
    erp.script = () => ({ kind: 'slow', ms: 20 });
    const connection = await connect();
    for (let call = 0; call < 5; call++) await connection.get('purchase_orders', 'PO-0001');
    const { latencyMs, concurrency } = connection.figures();
    expect(latencyMs.count).toBe(5);
    expect(latencyMs.p50).toBeGreaterThanOrEqual(19);
    expect(latencyMs.p95).toBeGreaterThanOrEqual(latencyMs.p50);
    expect(latencyMs.p99).toBeGreaterThanOrEqual(latencyMs.p95);
    expect(latencyMs.max).toBeGreaterThanOrEqual(latencyMs.p99);
    expect(concurrency.history).toEqual([{ at: expect.any(Number), limit: 8 }]);
    expect(concurrency.peakInFlight).toBe(1);
  });

  it('test() goes through to the connector', async () => {
    const connection = await connect();
    expect(await connection.test()).toMatchObject({ ok: true });
  });
});

/** A port on 127.0.0.1 that nothing listens on. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
