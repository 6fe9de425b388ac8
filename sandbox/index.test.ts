import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ConfigError } from '../src/errors/index.ts';
import { dayFromCompact, dayFromIso } from './calendar.ts';
import { LABEL_OF_PRIORITY_CODE, PRIORITY_CODES, urgencyLabel } from './hidden-rules.ts';
import { type FaultConfig, startSandbox } from './index.ts';
import { parseDecimalComma } from './legacy-format.ts';
import {
  attemptSandbox,
  callSandbox,
  field,
  loggedRequests,
  records,
  removeDirectory,
  startTestSandbox,
  temporaryDirectory,
  text,
} from './test-support.ts';

const directories: string[] = [];
afterAll(() => directories.forEach(removeDirectory));

describe('startSandbox', () => {
  test.each([
    [{ port: -1 }, 'sandbox.port'],
    [{ orders: 1.5 }, 'sandbox.orders'],
    [{ today: '2025-02-30' }, 'sandbox.today'],
    [{ apiKey: '' }, 'sandbox.apiKey'],
    [{ colour: 'blue' }, 'sandbox'],
  ])('refuses %j before touching the disk, naming %s', async (bad, key) => {
    const base = temporaryDirectory();
    directories.push(base);
    const dataDir = join(base, 'never-created');
    const failure = await startSandbox({ dataDir, ...bad }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ConfigError);
    expect(failure).toMatchObject({ key });
    expect(String(failure)).toMatch(/sandbox option/);
    expect(existsSync(dataDir)).toBe(false);
  });

  test.each([
    [{ faults: { latency: { fixedMs: -1 } } }, 'sandbox.faults.latency.fixedMs', 'must be at least 0'],
    [
      { faults: { latency: { fixedMs: 1, fixed: 1 } } },
      'sandbox.faults.latency.fixed',
      'unknown key "fixed"',
    ],
    [
      { faults: { errors: { rates: { '503': 1 } }, hangs: { rate: 0.5 } } },
      'sandbox.faults.errors.rates',
      'at most 1',
    ],
  ])('refuses the faults %j before touching the disk, naming %s', async (bad, key, message) => {
    const base = temporaryDirectory();
    directories.push(base);
    const dataDir = join(base, 'never-created');
    const failure = await startSandbox({ dataDir, ...bad }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ConfigError);
    expect(failure).toMatchObject({ key, message: expect.stringContaining(message) });
    expect(existsSync(dataDir)).toBe(false);
  });

  test('starts with the faults it is given', async () => {
    const faults: FaultConfig = { errors: { rates: { '502': 1 } }, target: 'writes' };
    const { sandbox, stop } = await startTestSandbox({ orders: 10, history: 5, suppliers: 5, faults });
    try {
      expect((await callSandbox({ url: sandbox.url, apiKey: null }, '/_sandbox/faults')).body).toEqual(
        faults,
      );
      expect((await callSandbox(sandbox, '/api/suppliers')).status).toBe(200);
      const write = await callSandbox(sandbox, '/api/purchase_orders/0045000006', {
        method: 'PATCH',
        body: { priority: '1' },
      });
      expect(write.status).toBe(502);
    } finally {
      await stop();
    }
  });

  test('close does not wait on hung requests, lost answers or idle connections', async () => {
    const { sandbox, stop } = await startTestSandbox({
      orders: 10,
      history: 5,
      suppliers: 5,
      faults: { hangs: { rate: 1, target: 'reads' }, lostAnswers: { rate: 1, mode: 'hang' } },
    });
    const pending = [
      attemptSandbox(sandbox, '/api/suppliers', { timeoutMs: 30_000 }),
      attemptSandbox(sandbox, '/api/purchase_orders/0045000006', {
        method: 'PATCH',
        body: { priority: '1' },
        timeoutMs: 30_000,
      }),
    ];
    for (let tries = 0; (await loggedRequests(sandbox)).length < 2 && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect((await loggedRequests(sandbox)).map((entry) => entry.fault).sort()).toEqual(['hang', 'lost-hang']);
    // A client that gave up: fetch then opens a fresh connection it never uses, which Node's own
    // close would wait on until the connection times out.
    expect(await attemptSandbox(sandbox, '/api/suppliers', { timeoutMs: 100 })).toMatchObject({
      code: 'timeout',
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await stop();
    expect(performance.now() - started).toBeLessThan(2000);
    const outcomes = await Promise.all(pending);
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['failed', 'failed']);
    expect(outcomes.every((outcome) => outcome.ms < 5000)).toBe(true);
  });

  test('a restart with the same parameters reuses the file and keeps the writes', async () => {
    const dataDir = temporaryDirectory();
    directories.push(dataDir);
    const first = await startTestSandbox({ dataDir });
    await callSandbox(first.sandbox, '/api/purchase_orders/0045000333', {
      method: 'PATCH',
      body: { priority: '1' },
    });
    await first.sandbox.close();
    await first.sandbox.close();

    const second = await startTestSandbox({ dataDir });
    const read = await callSandbox(second.sandbox, '/api/purchase_orders/0045000333');
    expect(field(read.body, 'priority')).toBe('1');
    expect(second.sandbox.dbPath).toBe(first.sandbox.dbPath);
    expect(second.sandbox.today).toBe('2025-06-15');
    await second.sandbox.close();

    const reset = await startTestSandbox({ dataDir, reset: true });
    expect(
      field((await callSandbox(reset.sandbox, '/api/purchase_orders/0045000333')).body, 'priority'),
    ).toBe('3');
    await reset.sandbox.close();
  });

  test('today defaults to the real UTC date', async () => {
    const { sandbox, stop } = await startTestSandbox({ today: undefined, orders: 5, history: 5 });
    try {
      expect(sandbox.today).toBe(new Date().toISOString().slice(0, 10));
      expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await stop();
    }
  });
});

describe('the hidden rules, recomputed from what the API serves', () => {
  test('give exactly the truth for open orders, and about 97 % of the buyers’ history labels', async () => {
    const { sandbox, stop } = await startTestSandbox({ orders: 1500, history: 3000, suppliers: 60 });
    try {
      const suppliers = new Map(
        records((await callSandbox(sandbox, '/api/suppliers?page_size=100')).body).map((supplier) => [
          supplier.supplier_id,
          {
            leadTimeDays: Number(supplier.lead_time_days),
            onTimePct: parseDecimalComma(String(supplier.on_time_pct), 1) / 10,
          },
        ]),
      );
      const orders: Record<string, unknown>[] = [];
      for (let page = 1; page <= 5; page++) {
        orders.push(
          ...records((await callSandbox(sandbox, `/api/purchase_orders?page=${page}&page_size=1000`)).body),
        );
      }
      expect(orders).toHaveLength(4500);
      const today = dayFromIso(sandbox.today);
      const labelOf = (order: Record<string, unknown>, asOf: number) => {
        const supplier = suppliers.get(order.supplier_id);
        if (!supplier) throw new Error(`unknown supplier ${String(order.supplier_id)}`);
        return urgencyLabel({
          daysUntilNeed: dayFromCompact(text(order, 'need_by')) - asOf,
          ...supplier,
          notes: text(order, 'notes'),
          totalAmount: parseDecimalComma(text(order, 'total_amount'), 2) / 100,
        });
      };

      const truth = field((await callSandbox(sandbox, '/_sandbox/truth')).body, 'labels');
      const open = orders.filter((order) => order.status === 'OPEN');
      const recomputed = Object.fromEntries(open.map((order) => [order.po_number, labelOf(order, today)]));
      expect(recomputed).toEqual(truth);

      const history = orders.filter((order) => order.status !== 'OPEN');
      const agreeing = history.filter((order) => {
        const code = PRIORITY_CODES.find((candidate) => candidate === order.priority);
        if (!code) throw new Error(`unknown priority ${String(order.priority)}`);
        return LABEL_OF_PRIORITY_CODE[code] === labelOf(order, dayFromCompact(text(order, 'order_date')));
      }).length;
      expect(agreeing / history.length).toBeGreaterThan(0.95);
      expect(agreeing / history.length).toBeLessThan(0.99);
    } finally {
      await stop();
    }
  });
});
