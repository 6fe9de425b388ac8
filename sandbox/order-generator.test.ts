import { describe, expect, test } from 'vitest';
import { dayFromCompact, dayFromIso } from './calendar.ts';
import { isOnBoundary, slackThousandths, type UrgencyLabel } from './hidden-rules.ts';
import { parseDecimalComma } from './legacy-format.ts';
import { type GeneratedOrder, generatePurchaseOrders } from './order-generator.ts';
import type { SeedParameters } from './seed-parameters.ts';
import { type GeneratedSupplier, generateSuppliers } from './supplier-generator.ts';

const parameters: SeedParameters = {
  seed: 42,
  orders: 5000,
  history: 20_000,
  suppliers: 200,
  today: '2025-06-15',
};

function generate(wanted: SeedParameters) {
  const suppliers = generateSuppliers(wanted.seed, wanted.suppliers);
  return { suppliers, orders: [...generatePurchaseOrders(wanted, suppliers)] };
}

const { suppliers, orders } = generate(parameters);
const open = orders.filter((order) => order.header.status === 'OPEN');
const history = orders.filter((order) => order.header.status !== 'OPEN');
const today = dayFromIso(parameters.today);

function shares(labels: UrgencyLabel[]): Record<UrgencyLabel, number> {
  const counts = { urgent: 0, high: 0, normal: 0, low: 0 };
  for (const label of labels) counts[label]++;
  return {
    urgent: counts.urgent / labels.length,
    high: counts.high / labels.length,
    normal: counts.normal / labels.length,
    low: counts.low / labels.length,
  };
}

function expectTargetMix(mix: Record<UrgencyLabel, number>) {
  expect(mix.urgent).toBeGreaterThan(0.045);
  expect(mix.urgent).toBeLessThan(0.065);
  expect(mix.high).toBeGreaterThan(0.15);
  expect(mix.high).toBeLessThan(0.2);
  expect(mix.low).toBeGreaterThan(0.15);
  expect(mix.low).toBeLessThan(0.25);
}

const LABEL_OF_CODE: Record<string, UrgencyLabel> = { '1': 'urgent', '2': 'high', '3': 'normal', '4': 'low' };

describe('generated data', () => {
  test('the same parameters give the same data; another seed other data', () => {
    const small = { ...parameters, orders: 300, history: 300 };
    expect(generate(small)).toEqual(generate(small));
    expect(generate({ ...small, seed: 43 }).orders[0]).not.toEqual(generate(small).orders[0]);
  });

  test('suppliers do not change with the number of orders', () => {
    expect(generate({ ...parameters, orders: 10, history: 10 }).suppliers).toEqual(suppliers);
  });

  test('counts and PO numbers: history first, consecutive from 0045000001, rising with the order date', () => {
    expect(history).toHaveLength(parameters.history);
    expect(open).toHaveLength(parameters.orders);
    const problems: string[] = [];
    orders.forEach((order, index) => {
      const { po_number, order_date } = order.header;
      if (po_number !== String(45_000_001 + index).padStart(10, '0'))
        problems.push(`${po_number} at ${index}`);
      const previous = orders[index - 1];
      if (previous && order_date < previous.header.order_date) problems.push(`${po_number} ordered earlier`);
    });
    expect(problems).toEqual([]);
  });

  test('suppliers have the legacy formats', () => {
    for (const { record } of suppliers) {
      expect(record.supplier_id).toMatch(/^00001\d{5}$/);
      expect(record.name).toHaveLength(35);
      expect(record.country).toMatch(/^[A-Z]{2}$/);
      expect(record.lead_time_days).toMatch(/^\d+$/);
      expect(Number(record.lead_time_days)).toBeGreaterThanOrEqual(3);
      expect(Number(record.lead_time_days)).toBeLessThanOrEqual(60);
      expect(record.on_time_pct).toMatch(/^\d{2},\d$/);
      const pct = parseDecimalComma(record.on_time_pct, 1) / 10;
      expect(pct).toBeGreaterThanOrEqual(55);
      expect(pct).toBeLessThanOrEqual(99.5);
    }
    expect(suppliers[41]?.record.supplier_id).toBe('0000100042');
  });

  test('orders have the legacy formats, and totals are the sum of the lines to the cent', () => {
    // Plain checks gathered into one list: a million expect() calls would take seconds.
    const problems: string[] = [];
    const check = (ok: boolean, what: string) => {
      if (!ok) problems.push(what);
    };
    for (const { header, lines } of orders) {
      const at = header.po_number;
      check(/^\d{8}$/.test(header.order_date) && /^\d{8}$/.test(header.need_by), `${at} dates`);
      check(/^\d+,\d{2}$/.test(header.total_amount), `${at} total_amount ${header.total_amount}`);
      check(header.currency === 'EUR' || header.currency === 'USD', `${at} currency`);
      check(header.description.length === 40 && header.notes.length === 60, `${at} padding`);
      check(header.buyer.length === 10, `${at} buyer`);
      check(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(header.updated_at), `${at} updated_at`);
      check(lines.length >= 1 && lines.length <= 5, `${at} has ${lines.length} lines`);
      check(header.description === lines[0]?.description, `${at} description is not its first line's`);
      let totalCents = 0;
      lines.forEach((line, index) => {
        check(line.line_no === String((index + 1) * 10).padStart(5, '0'), `${at} line_no ${line.line_no}`);
        check(/^\d{18}$/.test(line.item_no), `${at} item_no`);
        check(line.description.length === 40, `${at} line description`);
        check(/^\d+,\d{3}$/.test(line.quantity), `${at} quantity ${line.quantity}`);
        check(['EA ', 'KG ', 'M  ', 'PC '].includes(line.uom), `${at} uom "${line.uom}"`);
        check(line.need_by >= header.need_by, `${at} line due before the order`);
        totalCents += (parseDecimalComma(line.quantity, 3) * Math.round(line.unit_price * 100)) / 1000;
      });
      check(Number.isInteger(totalCents), `${at} line amounts are not whole cents`);
      check(
        parseDecimalComma(header.total_amount, 2) === totalCents,
        `${at} total is not the sum of its lines`,
      );
    }
    expect(problems).toEqual([]);
  });

  test('open orders: ordered in the last 60 days, needed from 5 days ago to 120 days ahead, priority "3"', () => {
    let overdue = 0;
    const problems: string[] = [];
    for (const { header } of open) {
      const ordered = dayFromCompact(header.order_date) - today;
      const needed = dayFromCompact(header.need_by) - today;
      if (ordered < -60 || ordered > 0) problems.push(`${header.po_number} ordered ${ordered}`);
      if (needed < -5 || needed > 120) problems.push(`${header.po_number} needed ${needed}`);
      if (ordered >= needed) problems.push(`${header.po_number} needed before it was ordered`);
      if (header.priority !== '3') problems.push(`${header.po_number} priority ${header.priority}`);
      if (needed < 0) overdue++;
    }
    expect(problems).toEqual([]);
    expect(overdue).toBeGreaterThan(0);
    expect(overdue / open.length).toBeLessThan(0.03);
  });

  test('history: closed (a few cancelled) in the two years before today, after it was ordered', () => {
    const cancelled = history.filter((order) => order.header.status === 'CANCELLED').length;
    expect(cancelled / history.length).toBeGreaterThan(0.01);
    expect(cancelled / history.length).toBeLessThan(0.05);
    const problems = history
      .map((order) => order.header)
      .filter(
        (header) =>
          !['CLOSED', 'CANCELLED'].includes(header.status) ||
          today - dayFromCompact(header.order_date) > 730 ||
          dayFromCompact(header.need_by) >= today ||
          header.updated_at >= parameters.today ||
          header.updated_at.slice(0, 10).replaceAll('-', '') < header.order_date,
      );
    expect(problems).toEqual([]);
  });

  test('no order sits exactly on a rule threshold', () => {
    const byId = new Map<string, GeneratedSupplier>(
      suppliers.map((supplier) => [supplier.record.supplier_id, supplier]),
    );
    const asOf = (order: GeneratedOrder) =>
      order.header.status === 'OPEN' ? today : dayFromCompact(order.header.order_date);
    const onBoundary: string[] = [];
    for (const order of orders) {
      const supplier = byId.get(order.header.supplier_id);
      if (!supplier) throw new Error(`unknown supplier ${order.header.supplier_id}`);
      const slack = slackThousandths({
        daysUntilNeed: dayFromCompact(order.header.need_by) - asOf(order),
        leadTimeDays: supplier.leadTimeDays,
        onTimePct: supplier.onTimePct,
      });
      if (isOnBoundary(slack)) onBoundary.push(order.header.po_number);
    }
    expect(onBoundary).toEqual([]);
  });

  test('the label mix of open orders is within the targets', () => {
    expectTargetMix(shares(open.map((order) => order.ruleLabel)));
  });

  test('the history has a similar mix, in its rule labels and in the priorities buyers set', () => {
    expectTargetMix(shares(history.map((order) => order.ruleLabel)));
    expectTargetMix(shares(history.map((order) => LABEL_OF_CODE[order.header.priority] ?? 'normal')));
    const agreeing = history.filter(
      (order) => LABEL_OF_CODE[order.header.priority] === order.ruleLabel,
    ).length;
    expect(agreeing / history.length).toBeGreaterThan(0.96);
    expect(agreeing / history.length).toBeLessThan(0.98);
  });

  test('about 3 % of orders carry a critical note', () => {
    const critical = orders.filter((order) =>
      /line down|stoppage|escalation|expedite|rush/i.test(order.header.notes),
    );
    expect(critical.length / orders.length).toBeGreaterThan(0.025);
    expect(critical.length / orders.length).toBeLessThan(0.035);
  });
});
