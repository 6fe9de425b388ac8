import { describe, expect, it } from 'vitest';
import type { ClassifyTask, Example, Features } from '../contract.ts';
import { TrainedClassifier, trainClassifier } from './classifier.ts';
import type { EmbeddedClassifyTask } from './embedded-task.ts';
import { createEmbeddedProvider } from './provider.ts';

interface Line {
  shop: string;
  centre: string;
  amount: number;
}

const LABELS = ['fuel', 'books', 'food'] as const;
type Label = (typeof LABELS)[number];

const task: EmbeddedClassifyTask<Line, Label> = {
  name: 'coding-test',
  labels: LABELS,
  labelDescriptions: { fuel: 'Vehicle Fuel' },
  featureVersion: 1,
  instructions: 'code the line',
  describe: (line) => ({ ...line }),
  featureNames: { amount: 'amount' },
  features: (line): Features => ({
    numeric: {
      [`shop=${line.shop}`]: 1,
      [`centre=${line.centre}`]: 1,
      [`shop at centre=${line.shop} @ ${line.centre}`]: 1,
      amount: Math.log1p(line.amount),
    },
    text: '',
  }),
  embedded: {
    valueFormats: { amount: 'log1p' },
    sparse: {
      minCount: 1,
      continuous: ['amount'],
      memory: [
        { prefix: 'shop at centre=', name: 'shop at cost centre' },
        { prefix: 'shop=', name: 'shop' },
      ],
      epochs: 8,
    },
  },
};

/** Shops code alike everywhere, except `market`, whose code depends on the cost centre; oldest first. */
function history(count: number): Example<Line, Label>[] {
  const examples: Example<Line, Label>[] = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 4;
    if (kind === 0)
      examples.push({ input: { shop: 'shell', centre: `C${i % 5}`, amount: 40 }, label: 'fuel' });
    else if (kind === 1)
      examples.push({ input: { shop: 'bookshop', centre: `C${i % 5}`, amount: 12 }, label: 'books' });
    else
      examples.push({
        input: { shop: 'market', centre: i % 3 === 0 ? 'SCHOOL' : 'HOME', amount: 20 },
        label: i % 3 === 0 ? 'books' : 'food',
      });
  }
  return examples;
}

describe('the sparse classifier (a task with embedded.sparse)', () => {
  const examples = history(400);
  const classifier = trainClassifier(task, examples);

  it('learns from the features and the memory, calibrated on the newest examples', () => {
    const rows = [
      { shop: 'shell', centre: 'C9', amount: 35 },
      { shop: 'market', centre: 'SCHOOL', amount: 20 },
      { shop: 'market', centre: 'HOME', amount: 20 },
    ].map(task.features);
    expect(classifier.predictAll(rows).map((prediction) => prediction.label)).toEqual([
      'fuel',
      'books',
      'food',
    ]);
    expect(classifier.metrics).toMatchObject({
      model: 'sparse-softmax',
      validation: 'latest',
      trainExamples: 400,
      validationExamples: 80,
    });
    expect(classifier.metrics.accuracy).toBeGreaterThan(0.95);
    expect(classifier.metrics.autoThreshold?.precision).toBe(0.95);
  });

  it('explains with the memory in counts and the features in words', () => {
    const [prediction] = classifier.predictAll(
      [task.features({ shop: 'market', centre: 'SCHOOL', amount: 20 })],
      {
        contributions: 'all',
      },
    );
    expect(prediction?.explanation).toMatch(/^books \(\d\.\d\d\): /);
    expect(prediction?.explanation).toMatch(
      /shop at cost centre 'market @ SCHOOL' was coded books in \d+ of \d+ past lines/,
    );
    const fuel = classifier.predict(task.features({ shop: 'shell', centre: 'C1', amount: 40 }));
    expect(fuel.explanation).toMatch(/^fuel Vehicle Fuel \(/);
    expect(fuel.contributions.some((contribution) => contribution.display === "shop 'shell'")).toBe(true);
  });

  it('serialises to a body that predicts exactly alike', () => {
    const body = classifier.serialize();
    expect(JSON.parse(body)).toMatchObject({ kind: 'sparse-softmax', format: 1 });
    const restored = TrainedClassifier.deserialize(body, LABELS);
    const rows = examples.slice(0, 50).map((example) => task.features(example.input));
    expect(restored.predictAll(rows).map((p) => [p.label, p.confidence])).toEqual(
      classifier.predictAll(rows).map((p) => [p.label, p.confidence]),
    );
    expect(restored.metrics).toEqual(classifier.metrics);
    const damaged = { ...JSON.parse(body), trust: [1] };
    expect(() => TrainedClassifier.deserialize(JSON.stringify(damaged))).toThrow(
      'invalid classifier body: 3 biases and 1 trusts do not fit 3 labels and 12 memory slots',
    );
  });

  it('is what the embedded provider trains, stores and answers with', async () => {
    const saved: { name: string; version: string; body: string }[] = [];
    const provider = createEmbeddedProvider({
      modelStore: { load: async () => undefined, save: async (model) => void saved.push(model) },
      loadExamples: () => examples,
    });
    const plain: ClassifyTask<Line, Label> = task;
    const [answer] = await provider.classify(plain, [{ shop: 'market', centre: 'HOME', amount: 18 }]);
    expect(answer).toMatchObject({ label: 'food', model: 'embedded:coding-test@f1' });
    expect(answer?.explanation).toContain("shop at cost centre 'market @ HOME' was coded food");
    expect(saved[0]?.version).toBe('coding-test@f1');
    expect(TrainedClassifier.deserialize(saved[0]?.body ?? '').metrics.model).toBe('sparse-softmax');
  });
});
