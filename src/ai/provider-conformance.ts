import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ErpError } from '../errors/index.ts';
import {
  AI_TASK_KINDS,
  type AiProvider,
  type AiTaskKind,
  type ClassifyTask,
  type DetectorVerdict,
  type DetectTask,
  type Example,
  type ExtractTask,
  type RuleExtraction,
} from './contract.ts';

/**
 * The behaviour every AI provider must show, as one vitest suite over the same three tasks. A
 * provider's test file calls {@link describeProviderConformance} with a factory; the embedded
 * provider learns the classify task from {@link conformanceExamples}, the LLM provider is run
 * against a local OpenAI-compatible server whose "model" answers by the same rules
 * ({@link conformanceAnswers}).
 *
 * What it checks, for each kind the provider declares in `supports`: one result per input in input
 * order, confidence and scores within 0..1, labels within the task's label set, a non-empty
 * explanation, master data honoured (a value outside it comes back for review, never as a result),
 * results that are plain data, an empty batch answered without work, and an abort honoured. A kind
 * left out of `supports` must be refused with a `permanent` ErpError.
 */

/** A purchase order line as the conformance tasks see it. */
export interface ConformanceOrder {
  orderNumber: string;
  daysLeft: number;
  note: string;
  /** Personal data: an LLM provider must not send it (the tasks do not describe it). */
  buyerEmail: string;
}

export const CONFORMANCE_LABELS = ['urgent', 'normal', 'low'] as const;
export type ConformanceLabel = (typeof CONFORMANCE_LABELS)[number];

/** The rule behind the classify task's labels: what the embedded model learns and the fake LLM answers. */
export function conformanceLabel(order: Pick<ConformanceOrder, 'daysLeft' | 'note'>): ConformanceLabel {
  if (order.daysLeft < 10 || /line down/i.test(order.note)) return 'urgent';
  return order.daysLeft > 40 ? 'low' : 'normal';
}

export const conformanceClassifyTask: ClassifyTask<ConformanceOrder, ConformanceLabel> = {
  name: 'conformance-urgency',
  labels: CONFORMANCE_LABELS,
  featureVersion: 1,
  features: (order) => ({ numeric: { daysLeft: order.daysLeft }, text: order.note }),
  featureNames: { daysLeft: 'days left' },
  instructions:
    'Rank purchase order lines: urgent under 10 days left or when the line is down, low above 40 days.',
  describe: (order) => ({ orderNumber: order.orderNumber, daysLeft: order.daysLeft, note: order.note }),
};

/** Labelled history for the classify task: `count` orders, deterministic. */
export function conformanceExamples(count = 400): Example<ConformanceOrder, ConformanceLabel>[] {
  return Array.from({ length: count }, (_, index) => {
    const daysLeft = (index * 37) % 61;
    const note = index % 9 === 0 ? 'line down at plant 2' : 'deliver to gate 2';
    const input = { orderNumber: `H-${index}`, daysLeft, note, buyerEmail: `buyer${index}@example.com` };
    return { input, label: conformanceLabel(input) };
  });
}

/** Orders far from every boundary, so any provider that learned or follows the rule labels them alike. */
export function conformanceOrders(): ConformanceOrder[] {
  const cases: [number, string][] = [
    [2, 'deliver to gate 2'],
    [25, 'deliver to gate 2'],
    [55, 'deliver to gate 2'],
    [30, 'line down at plant 2'],
    [58, 'deliver to gate 2'],
    [1, 'deliver to gate 2'],
    [22, 'deliver to gate 2'],
  ];
  return cases.map(([daysLeft, note], index) => ({
    orderNumber: `PO-${4500 + index}`,
    daysLeft,
    note,
    buyerEmail: `anna.berg${index}@example.com`,
  }));
}

/** Supplier ids the extract task's `supplierId` must be one of: its master data. */
export const CONFORMANCE_SUPPLIERS = ['S-100', 'S-200'] as const;

export const conformanceInvoiceSchema = z.object({
  invoiceNumber: z.string().min(1),
  total: z.number(),
  supplierId: z.string().nullable(),
});

/** What the extract task reads from an invoice's text, by rule. */
export function conformanceInvoiceFields(text: string): RuleExtraction {
  const number = /Invoice No\.?\s*([A-Z0-9-]+)/.exec(text)?.[1] ?? null;
  const total = /Total:?\s*([\d.]+)/.exec(text)?.[1];
  const supplier = /Supplier:?\s*(S-\d+)/.exec(text)?.[1] ?? null;
  return {
    fields: {
      invoiceNumber: number,
      total: total === undefined ? null : Number(total),
      supplierId: supplier,
    },
    explanation: 'invoice number after "Invoice No.", total after "Total", supplier after "Supplier"',
  };
}

export const conformanceExtractTask: ExtractTask<{ text: string }, typeof conformanceInvoiceSchema> = {
  name: 'conformance-invoice',
  schema: conformanceInvoiceSchema,
  masterData: { supplierId: CONFORMANCE_SUPPLIERS },
  instructions: 'Read the invoice number, the total and the supplier id from the invoice text.',
  describe: (input) => ({ text: input.text }),
  rules: (input) => conformanceInvoiceFields(input.text),
  maxBatch: 2,
};

/** Invoices: two well-formed ones and one from a supplier outside the master data. */
export function conformanceInvoices(): { text: string }[] {
  return [
    { text: 'Invoice No. INV-1001\nSupplier: S-100\nTotal: 1200.50' },
    { text: 'Invoice No. INV-1002\nSupplier: S-200\nTotal: 88' },
    { text: 'Invoice No. INV-1003\nSupplier: S-999\nTotal: 10' },
  ];
}

/** A purchase price and what the supplier usually charges. */
export interface ConformancePrice {
  unitPrice: number;
  medianPrice: number;
}

/** The detect task's rule: how far a price is from the median, as a score and a reason. */
export function conformanceVerdict(price: ConformancePrice): DetectorVerdict {
  const ratio = price.unitPrice / price.medianPrice;
  const distance = Math.abs(Math.log(ratio));
  const score = Math.min(1, distance / Math.log(4));
  return {
    score,
    reasons:
      score >= 0.5
        ? [`unit price ${price.unitPrice} is ${ratio.toFixed(1)}× the median ${price.medianPrice}`]
        : [],
  };
}

export const conformanceDetectTask: DetectTask<ConformancePrice> = {
  name: 'conformance-price',
  instructions: 'Score how unusual a unit price is against the median the supplier charges.',
  describe: (price) => ({ unitPrice: price.unitPrice, medianPrice: price.medianPrice }),
  detector: (prices) => prices.map(conformanceVerdict),
};

export function conformancePrices(): ConformancePrice[] {
  return [
    { unitPrice: 10, medianPrice: 10 },
    { unitPrice: 95, medianPrice: 10 },
    { unitPrice: 11, medianPrice: 10 },
  ];
}

/**
 * The fields an LLM provider may send for the conformance tasks (its allowlist): everything the
 * tasks describe.
 */
export const CONFORMANCE_ALLOW_FIELDS = [
  'orderNumber',
  'daysLeft',
  'note',
  'text',
  'unitPrice',
  'medianPrice',
];

/**
 * What a faithful model answers for one record of a conformance request, by task kind: the same
 * rules the embedded provider follows. For a fake LLM server's script.
 */
export const conformanceAnswers = {
  classify(fields: Record<string, unknown>) {
    const label = conformanceLabel({ daysLeft: Number(fields.daysLeft), note: String(fields.note ?? '') });
    return { label, confidence: 0.9, explanation: `${String(fields.daysLeft)} days left: ${label}` };
  },
  extract(fields: Record<string, unknown>) {
    const found = conformanceInvoiceFields(String(fields.text ?? ''));
    return { fields: found.fields, confidence: 0.95, explanation: found.explanation ?? 'found in the text' };
  },
  detect(fields: Record<string, unknown>) {
    const verdict = conformanceVerdict({
      unitPrice: Number(fields.unitPrice),
      medianPrice: Number(fields.medianPrice),
    });
    return { ...verdict, explanation: verdict.reasons[0] ?? 'in line with the median' };
  },
} satisfies Record<AiTaskKind, (fields: Record<string, unknown>) => Record<string, unknown>>;

/** What a provider's test hands the suite. */
export interface ProviderUnderTest {
  provider: AiProvider;
  /** Releases what the factory started (servers, stores). */
  close(): Promise<void>;
}

/**
 * Registers the conformance suite for one provider. `make` is called once for the suite; the
 * provider it returns must be ready to answer the conformance tasks (trained, or its server up).
 *
 * @example
 * describeProviderConformance('embedded', async () => ({ provider: createEmbeddedProvider({ … }), close: async () => {} }));
 */
export function describeProviderConformance(name: string, make: () => Promise<ProviderUnderTest>): void {
  describe(`AI provider conformance: ${name}`, () => {
    let subject: ProviderUnderTest;
    let provider: AiProvider;

    beforeAll(async () => {
      subject = await make();
      provider = subject.provider;
    });
    afterAll(async () => {
      await subject?.close();
    });

    const supports = (kind: AiTaskKind): boolean => provider.supports.includes(kind);

    it('declares its kind and the task kinds it answers', () => {
      expect(['embedded', 'llm']).toContain(provider.kind);
      expect(provider.supports.length).toBeGreaterThan(0);
      for (const kind of provider.supports) expect(AI_TASK_KINDS).toContain(kind);
    });

    it('refuses the task kinds it does not support with a permanent error', async () => {
      const calls: Record<AiTaskKind, () => Promise<unknown>> = {
        classify: () => provider.classify(conformanceClassifyTask, conformanceOrders()),
        extract: () => provider.extract(conformanceExtractTask, conformanceInvoices()),
        detect: () => provider.detect(conformanceDetectTask, conformancePrices()),
      };
      for (const kind of AI_TASK_KINDS.filter((each) => !supports(each))) {
        const error = await calls[kind]().then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
        expect(error).toBeInstanceOf(ErpError);
        expect(error).toMatchObject({ kind: 'permanent' });
      }
    });

    describe('classify', () => {
      it('answers every input in order, with labels from the set, confidence in 0..1 and an explanation', async ({
        skip,
      }) => {
        if (!supports('classify')) skip('classify is not supported');
        const orders = conformanceOrders();
        const results = await provider.classify(conformanceClassifyTask, orders);
        expect(results).toHaveLength(orders.length);
        expect(results.map((result) => result.label)).toEqual(orders.map(conformanceLabel));
        for (const result of results) {
          expect(CONFORMANCE_LABELS).toContain(result.label);
          expect(result.confidence).toBeGreaterThanOrEqual(0);
          expect(result.confidence).toBeLessThanOrEqual(1);
          expect(Object.keys(result.probabilities).sort()).toEqual([...CONFORMANCE_LABELS].sort());
          const total = Object.values<number>(result.probabilities).reduce((sum, p) => sum + p, 0);
          expect(total).toBeCloseTo(1, 6);
          expect(result.probabilities[result.label]).toBeCloseTo(result.confidence, 6);
          expect(result.explanation.trim()).not.toBe('');
          expect(result.model).toMatch(new RegExp(`^${provider.kind}:`));
          expect(result.review).toBeUndefined();
        }
      });

      it('returns plain data that survives JSON', async ({ skip }) => {
        if (!supports('classify')) skip('classify is not supported');
        const [result] = await provider.classify(conformanceClassifyTask, conformanceOrders().slice(0, 1));
        const copy: unknown = JSON.parse(JSON.stringify(result));
        expect(copy).toEqual({ ...result });
      });

      it('answers an empty batch with no results', async ({ skip }) => {
        if (!supports('classify')) skip('classify is not supported');
        expect(await provider.classify(conformanceClassifyTask, [])).toEqual([]);
      });

      it('honours an abort: rejects with the signal’s reason', async ({ skip }) => {
        if (!supports('classify')) skip('classify is not supported');
        const reason = new Error('run cancelled');
        const call = provider.classify(conformanceClassifyTask, conformanceOrders(), {
          signal: AbortSignal.abort(reason),
        });
        await expect(call).rejects.toBe(reason);
      });
    });

    describe('extract', () => {
      it('extracts fields by the schema, in order, and sends a value outside the master data to review', async ({
        skip,
      }) => {
        if (!supports('extract')) skip('extract is not supported');
        const results = await provider.extract(conformanceExtractTask, conformanceInvoices());
        expect(results).toHaveLength(3);
        expect(results[0]?.fields).toEqual({ invoiceNumber: 'INV-1001', total: 1200.5, supplierId: 'S-100' });
        expect(results[1]?.fields).toEqual({ invoiceNumber: 'INV-1002', total: 88, supplierId: 'S-200' });
        const outside = results[2];
        expect(outside?.fields).toBeNull();
        expect(outside?.review?.reason).toMatch(/S-999/);
        expect(outside?.review?.reason).toMatch(/S-100/);
        for (const result of results) {
          expect(result.confidence).toBeGreaterThanOrEqual(0);
          expect(result.confidence).toBeLessThanOrEqual(1);
          expect(result.explanation.trim()).not.toBe('');
          expect(result.model).toMatch(new RegExp(`^${provider.kind}:`));
          if (result.fields !== null)
            expect(conformanceInvoiceSchema.safeParse(result.fields).success).toBe(true);
        }
      });

      it('honours an abort: rejects with the signal’s reason', async ({ skip }) => {
        if (!supports('extract')) skip('extract is not supported');
        const reason = new Error('run cancelled');
        const call = provider.extract(conformanceExtractTask, conformanceInvoices(), {
          signal: AbortSignal.abort(reason),
        });
        await expect(call).rejects.toBe(reason);
      });
    });

    describe('detect', () => {
      it('scores every input in order within 0..1, with reasons and an explanation', async ({ skip }) => {
        if (!supports('detect')) skip('detect is not supported');
        const prices = conformancePrices();
        const results = await provider.detect(conformanceDetectTask, prices);
        expect(results).toHaveLength(prices.length);
        for (const result of results) {
          expect(result.score).toBeGreaterThanOrEqual(0);
          expect(result.score).toBeLessThanOrEqual(1);
          expect(Array.isArray(result.reasons)).toBe(true);
          expect(result.explanation.trim()).not.toBe('');
          expect(result.review).toBeUndefined();
        }
        const [ordinary, anomalous, close] = results;
        expect(anomalous?.score).toBeGreaterThan(ordinary?.score ?? 1);
        expect(anomalous?.score).toBeGreaterThan(close?.score ?? 1);
        expect(anomalous?.reasons.join(' ')).toMatch(/9\.5×/);
        expect(ordinary?.reasons).toEqual([]);
      });

      it('honours an abort: rejects with the signal’s reason', async ({ skip }) => {
        if (!supports('detect')) skip('detect is not supported');
        const reason = new Error('run cancelled');
        const call = provider.detect(conformanceDetectTask, conformancePrices(), {
          signal: AbortSignal.abort(reason),
        });
        await expect(call).rejects.toBe(reason);
      });
    });
  });
}
