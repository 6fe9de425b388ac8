import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Sandbox } from './index.ts';
import {
  type Attempt,
  attemptSandbox,
  callSandbox,
  field,
  loggedRequests,
  setFaults,
  startTestSandbox,
} from './test-support.ts';

let sandbox: Sandbox;
let stop: () => Promise<void>;
beforeAll(async () => {
  ({ sandbox, stop } = await startTestSandbox({ orders: 40, history: 10, suppliers: 5 }));
});
afterAll(() => stop());
beforeEach(async () => {
  await callSandbox({ url: sandbox.url, apiKey: null }, '/_sandbox/faults', { method: 'DELETE' });
  await callSandbox({ url: sandbox.url, apiKey: null }, '/_sandbox/requests', { method: 'DELETE' });
});

const READ = '/api/suppliers?page_size=1';
const attempt = (path: string, init?: Parameters<typeof attemptSandbox>[2]) =>
  attemptSandbox(sandbox, path, init);
const patch = (po: string, body: unknown, init: Parameters<typeof attemptSandbox>[2] = {}) =>
  attempt(`/api/purchase_orders/${po}`, { ...init, method: 'PATCH', body });
const statusOf = (result: Attempt) => (result.kind === 'answered' ? result.status : result.code);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Fires `count` reads, `parallel` at a time; each draws once, so the totals do not depend on arrival order. */
async function readMany(count: number, parallel = 25): Promise<Attempt[]> {
  const results: Attempt[] = [];
  for (let start = 0; start < count; start += parallel) {
    const batch = Array.from({ length: Math.min(parallel, count - start) }, () => attempt(READ));
    results.push(...(await Promise.all(batch)));
  }
  return results;
}

function tally(values: readonly (string | number | null | unknown)[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[String(value)] = (counts[String(value)] ?? 0) + 1;
  return counts;
}

describe('errors', () => {
  test('come at their rates (fixed seed), with JSON bodies, each one logged with its fault', async () => {
    await setFaults(sandbox, { seed: 7, errors: { rates: { '500': 0.1, '503': 0.05 } } });
    const results = await readMany(600);
    const counts = tally(results.map(statusOf));
    expect((counts['500'] ?? 0) / 600).toBeGreaterThan(0.06);
    expect((counts['500'] ?? 0) / 600).toBeLessThan(0.14);
    expect((counts['503'] ?? 0) / 600).toBeGreaterThan(0.02);
    expect((counts['503'] ?? 0) / 600).toBeLessThan(0.08);
    expect(Object.keys(counts).sort()).toEqual(['200', '500', '503']);
    const failed = results.find((result) => result.kind === 'answered' && result.status === 503);
    expect(failed?.kind === 'answered' && failed.body).toEqual({
      error: 'unavailable',
      message: 'the ERP failed to answer (sandbox fault errors.rates.503)',
    });

    const log = await loggedRequests(sandbox);
    expect(log).toHaveLength(600);
    expect(tally(log.map((entry) => entry.fault))).toEqual({
      null: counts['200'],
      'error-500': counts['500'],
      'error-503': counts['503'],
    });
    expect(log.find((entry) => entry.fault === 'error-503')).toMatchObject({ status: 503, applied: false });
  });

  test('the same seed gives the same sequence; another seed another one', async () => {
    const sequence = async (seed: number) => {
      await setFaults(sandbox, { seed, errors: { rates: { '502': 0.2 } } });
      const statuses: (string | number)[] = [];
      for (let index = 0; index < 60; index++) statuses.push(statusOf(await attempt(READ)));
      return statuses;
    };
    const first = await sequence(11);
    expect(first).toContain(502);
    expect(await sequence(11)).toEqual(first);
    expect(await sequence(12)).not.toEqual(first);
  });

  test('aimed at writes: reads pass, and a refused write is not applied', async () => {
    await setFaults(sandbox, { errors: { rates: { '500': 1 }, target: 'writes' } });
    const po = '0045000012';
    const before = await callSandbox(sandbox, `/api/purchase_orders/${po}`);
    expect(before.status).toBe(200);
    expect(statusOf(await patch(po, { priority: '1' }))).toBe(500);
    const after = await callSandbox(sandbox, `/api/purchase_orders/${po}`);
    expect(after.body).toEqual(before.body);
    const log = await loggedRequests(sandbox);
    expect(log.map((entry) => [entry.method, entry.status, entry.fault, entry.applied])).toEqual([
      ['GET', 200, null, false],
      ['PATCH', 500, 'error-500', false],
      ['GET', 200, null, false],
    ]);
  });
});

describe('hangs and resets', () => {
  test('a hang is never answered: the client times out; it is logged at once with status 0', async () => {
    await setFaults(sandbox, { hangs: { rate: 1, target: 'reads' } });
    const hung = await attempt(READ, { timeoutMs: 300 });
    expect(hung).toMatchObject({ kind: 'failed', code: 'timeout' });
    expect(hung.ms).toBeGreaterThanOrEqual(290);
    expect(statusOf(await patch('0045000013', { priority: '2' }))).toBe(200);
    const log = await loggedRequests(sandbox);
    expect(log.map((entry) => [entry.method, entry.status, entry.fault])).toEqual([
      ['GET', 0, 'hang'],
      ['PATCH', 200, null],
    ]);
  });

  test('a reset destroys the socket: ECONNRESET at the client, logged with status 0', async () => {
    await setFaults(sandbox, { resets: { rate: 1, target: 'writes' } });
    expect(await patch('0045000014', { priority: '2' })).toMatchObject({
      kind: 'failed',
      code: 'ECONNRESET',
    });
    expect(statusOf(await attempt(READ))).toBe(200);
    const log = await loggedRequests(sandbox);
    expect(log.map((entry) => [entry.method, entry.status, entry.fault, entry.applied])).toEqual([
      ['PATCH', 0, 'reset', false],
      ['GET', 200, null, false],
    ]);
  });
});

describe('rate limits', () => {
  test('a token bucket: `burst` at once, then 429 with Retry-After in seconds', async () => {
    await setFaults(sandbox, { rateLimit: { requestsPerSecond: 1, burst: 3 } });
    const results: Attempt[] = [];
    for (let index = 0; index < 5; index++) results.push(await attempt(READ));
    expect(results.map(statusOf)).toEqual([200, 200, 200, 429, 429]);
    const limited = results[3];
    if (limited?.kind !== 'answered') throw new Error('expected an answer');
    expect(limited.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(limited.body).toMatchObject({ error: 'rate_limited' });
    const log = await loggedRequests(sandbox);
    expect(log.map((entry) => entry.fault)).toEqual([null, null, null, '429', '429']);
  });

  test('Retry-After as an HTTP-date, in the future', async () => {
    await setFaults(sandbox, { rateLimit: { requestsPerSecond: 0.5, burst: 1, retryAfter: 'http-date' } });
    await attempt(READ);
    const limited = await attempt(READ);
    if (limited.kind !== 'answered') throw new Error('expected an answer');
    expect(limited.status).toBe(429);
    const retryAfter = limited.headers.get('retry-after') ?? '';
    expect(retryAfter).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    expect(Date.parse(retryAfter)).toBeGreaterThan(Date.now());
    expect(Date.parse(retryAfter)).toBeLessThanOrEqual(Date.now() + 3000);
  });

  test('bursts429: after every N requests the next `length` get 429 with Retry-After 1', async () => {
    await setFaults(sandbox, { bursts429: { every: 4, length: 2 } });
    const results: Attempt[] = [];
    for (let index = 0; index < 10; index++) results.push(await attempt(READ));
    expect(results.map(statusOf)).toEqual([200, 200, 200, 200, 429, 429, 200, 200, 429, 429]);
    const burst = results[4];
    expect(burst?.kind === 'answered' && burst.headers.get('retry-after')).toBe('1');
    expect((await loggedRequests(sandbox)).map((entry) => entry.fault)[4]).toBe('429-burst');
  });
});

describe('maintenance', () => {
  test('a 503 with Retry-After for the window, which starts and ends relative to when it was applied', async () => {
    await setFaults(sandbox, { maintenance: { startAfterMs: 300, durationMs: 500 } });
    const applied = performance.now();
    const until = (ms: number) => sleep(Math.max(0, applied + ms - performance.now()));
    expect(statusOf(await attempt(READ))).toBe(200);
    await until(450);
    const during = await patch('0045000015', { priority: '1' });
    if (during.kind !== 'answered') throw new Error('expected an answer');
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toBe('1');
    expect(during.body).toMatchObject({
      error: 'unavailable',
      message: expect.stringContaining('maintenance'),
    });
    await until(900);
    expect(statusOf(await attempt(READ))).toBe(200);
    const log = await loggedRequests(sandbox);
    expect(log.map((entry) => [entry.status, entry.fault, entry.applied])).toEqual([
      [200, null, false],
      [503, '503-maintenance', false],
      [200, null, false],
    ]);
  });

  test('POST /_sandbox/maintenance starts one now; DELETE /_sandbox/faults ends it', async () => {
    const started = await callSandbox({ url: sandbox.url, apiKey: null }, '/_sandbox/maintenance', {
      method: 'POST',
      body: { durationMs: 60_000 },
    });
    expect(started.status).toBe(200);
    const window = field(started.body, 'maintenance');
    expect(Date.parse(String(field(window, 'until'))) - Date.parse(String(field(window, 'from')))).toBe(
      60_000,
    );
    const refused = await attempt(READ);
    expect(refused.kind === 'answered' && refused.headers.get('retry-after')).toBe('60');
    expect(statusOf(await patch('0045000016', { priority: '1' }))).toBe(503);
    await callSandbox({ url: sandbox.url, apiKey: null }, '/_sandbox/faults', { method: 'DELETE' });
    expect(statusOf(await attempt(READ))).toBe(200);
  });
});

describe('latency and degradation', () => {
  test('latency aimed at reads delays reads only', async () => {
    await setFaults(sandbox, { latency: { fixedMs: 250, target: 'reads' } });
    const read = await attempt(READ);
    const write = await patch('0045000017', { priority: '2' });
    expect(statusOf(read)).toBe(200);
    expect(read.ms).toBeGreaterThanOrEqual(245);
    expect(statusOf(write)).toBe(200);
    expect(write.ms).toBeLessThan(250);
    const log = await loggedRequests(sandbox);
    expect(Number(log[0]?.durationMs)).toBeGreaterThanOrEqual(245);
    expect(log.map((entry) => entry.fault)).toEqual([null, null]);
  });

  test('a client that gives up during the delay is logged with status 0, and its write is not applied', async () => {
    await setFaults(sandbox, { latency: { fixedMs: 300 } });
    const po = '0045000018';
    const before = await callSandbox(sandbox, `/api/purchase_orders/${po}`);
    expect(await patch(po, { priority: '1' }, { timeoutMs: 100 })).toMatchObject({
      kind: 'failed',
      code: 'timeout',
    });
    await sleep(350);
    await setFaults(sandbox, {});
    expect((await callSandbox(sandbox, `/api/purchase_orders/${po}`)).body).toEqual(before.body);
    const log = await loggedRequests(sandbox);
    expect(log.map((entry) => [entry.method, entry.status, entry.fault, entry.applied])).toEqual([
      ['GET', 200, null, false],
      ['PATCH', 0, null, false],
      ['GET', 200, null, false],
    ]);
  });

  test('degradation: the latency rises with the number of requests in flight', async () => {
    // A base latency keeps each request in flight long enough for the next ones to see it.
    await setFaults(sandbox, { degradation: { baseLatencyMs: 30, perConcurrentMs: 40 } });
    const alone = await attempt(READ);
    const together = await Promise.all(Array.from({ length: 8 }, () => attempt(READ)));
    expect(together.map(statusOf)).toEqual(Array(8).fill(200));
    const slowest = Math.max(...together.map((result) => result.ms));
    expect(alone.ms).toBeGreaterThanOrEqual(28);
    expect(slowest).toBeGreaterThanOrEqual(30 + 7 * 40 - 5);
    expect(alone.ms).toBeLessThan(slowest / 2);
    const logged = (await loggedRequests(sandbox)).map((entry) => Number(entry.durationMs));
    expect(Math.max(...logged.slice(1))).toBeGreaterThanOrEqual(30 + 7 * 40 - 5);
  });
  test('many delayed requests at once raise no listener warning (each delay listens for the close)', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      await setFaults(sandbox, { latency: { fixedMs: 50 } });
      const results = await Promise.all(Array.from({ length: 24 }, () => attempt(READ)));
      expect(results.map(statusOf)).toEqual(Array(24).fill(200));
      await sleep(10);
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('lost answers', () => {
  test('502: the write is committed, the client gets a 502; a retry with its key is replayed', async () => {
    await setFaults(sandbox, { lostAnswers: { rate: 1, mode: 502 } });
    const po = '0045000020';
    const key = 'lost-502/0045000020';
    const lost = await patch(po, { priority: '1' }, { headers: { 'idempotency-key': key } });
    if (lost.kind !== 'answered') throw new Error('expected an answer');
    expect(lost.status).toBe(502);
    expect(lost.headers.get('etag')).toBeNull();
    expect(lost.body).toMatchObject({ error: 'bad_gateway' });
    const read = await attempt(`/api/purchase_orders/${po}`);
    expect(read.kind === 'answered' && field(read.body, 'priority')).toBe('1');

    await setFaults(sandbox, {});
    const retry = await patch(po, { priority: '1' }, { headers: { 'idempotency-key': key } });
    expect(retry.kind === 'answered' && retry.headers.get('idempotent-replayed')).toBe('true');
    const log = await loggedRequests(sandbox);
    expect(log.map((entry) => [entry.method, entry.status, entry.fault, entry.applied])).toEqual([
      ['PATCH', 502, 'lost-502', true],
      ['GET', 200, null, false],
      ['PATCH', 200, null, false],
    ]);
  });

  test('reset: the write is committed, the client sees ECONNRESET', async () => {
    await setFaults(sandbox, { lostAnswers: { rate: 1, mode: 'reset' } });
    const po = '0045000021';
    expect(await patch(po, { notes: 'LINE DOWN' })).toMatchObject({ kind: 'failed', code: 'ECONNRESET' });
    const read = await attempt(`/api/purchase_orders/${po}`);
    expect(read.kind === 'answered' && field(read.body, 'notes')).toBe('LINE DOWN'.padEnd(60));
    const log = await loggedRequests(sandbox);
    expect(log.map((entry) => [entry.method, entry.status, entry.fault, entry.applied])).toEqual([
      ['PATCH', 0, 'lost-reset', true],
      ['GET', 200, null, false],
    ]);
  });

  test('hang: the write is committed, the client times out', async () => {
    await setFaults(sandbox, { lostAnswers: { rate: 1, mode: 'hang' } });
    const po = '0045000022';
    expect(await patch(po, { priority: '4' }, { timeoutMs: 300 })).toMatchObject({
      kind: 'failed',
      code: 'timeout',
    });
    const read = await attempt(`/api/purchase_orders/${po}`);
    expect(read.kind === 'answered' && field(read.body, 'priority')).toBe('4');
    const log = await loggedRequests(sandbox);
    expect(log.map((entry) => [entry.method, entry.status, entry.fault, entry.applied])).toEqual([
      ['PATCH', 0, 'lost-hang', true],
      ['GET', 200, null, false],
    ]);
  });

  test('come at their rate, for writes only', async () => {
    await setFaults(sandbox, { seed: 3, lostAnswers: { rate: 0.3 } });
    const writes: Attempt[] = [];
    for (let index = 0; index < 100; index++) {
      writes.push(await patch('0045000023', { priority: index % 2 === 0 ? '1' : '2' }));
    }
    const lost = writes.filter((result) => statusOf(result) === 502).length;
    expect(lost).toBeGreaterThan(15);
    expect(lost).toBeLessThan(45);
    expect(tally(writes.map(statusOf))).toEqual({ '200': 100 - lost, '502': lost });
    expect((await readMany(50)).every((result) => statusOf(result) === 200)).toBe(true);
  });
});

describe('order of evaluation', () => {
  test('auth before maintenance, maintenance before the rate limit, the rate limit before errors', async () => {
    await setFaults(sandbox, {
      maintenance: { durationMs: 60_000, target: 'writes' },
      rateLimit: { requestsPerSecond: 0.01, burst: 1, target: 'reads' },
      errors: { rates: { '500': 1 }, target: 'reads' },
    });
    expect(statusOf(await attemptSandbox({ url: sandbox.url, apiKey: 'wrong' }, READ))).toBe(401);
    expect(statusOf(await patch('0045000024', { priority: '1' }))).toBe(503);
    expect(statusOf(await attempt(READ))).toBe(500);
    expect(statusOf(await attempt(READ))).toBe(429);
    const log = await loggedRequests(sandbox);
    expect(log.map((entry) => [entry.status, entry.fault])).toEqual([
      [401, null],
      [503, '503-maintenance'],
      [500, 'error-500'],
      [429, '429'],
    ]);
  });
});
