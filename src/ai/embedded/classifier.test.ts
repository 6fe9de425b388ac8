import { describe, expect, test } from 'vitest';
import type { Example } from '../contract.ts';
import { MIN_TRAINING_EXAMPLES, TrainedClassifier, trainClassifier } from './classifier.ts';
import type { EmbeddedClassifyTask } from './embedded-task.ts';
import { seededRandom } from './seeded-random.ts';

interface Delivery {
  days: number;
  reliability: number;
  note: string;
}
const LABELS = ['urgent', 'normal', 'relaxed'] as const;
type Label = (typeof LABELS)[number];

/** Urgent below 5 days or with "rush" in the note; relaxed above 40 days; normal otherwise. */
const deliveryTask: EmbeddedClassifyTask<Delivery, Label> = {
  name: 'delivery',
  labels: LABELS,
  featureVersion: 3,
  features: (input) => ({ numeric: { days: input.days, reliability: input.reliability }, text: input.note }),
  featureNames: { days: 'days left', reliability: 'reliability', rushNote: 'rush note' },
  instructions: 'unused here',
  describe: (input) => ({ days: input.days }),
  embedded: {
    encoding: {
      bins: [{ feature: 'days', quantiles: 8 }],
      textFlags: [{ name: 'rushNote', phrases: ['rush'] }],
      interactions: [{ feature: 'days', flag: 'rushNote' }],
    },
    valueFormats: { reliability: 'percent' },
  },
};

function deliveries(count: number, seed: number): Example<Delivery, Label>[] {
  const random = seededRandom(seed);
  const notes = ['', '', '', 'call first', 'gate 2', 'RUSH please'];
  return Array.from({ length: count }, () => {
    const days = Math.round(random() * 60);
    const note = notes[Math.floor(random() * notes.length)] ?? '';
    const label: Label = days < 5 || note.includes('RUSH') ? 'urgent' : days > 40 ? 'relaxed' : 'normal';
    return { input: { days, reliability: 0.5 + random() / 2, note }, label };
  });
}

const examples = deliveries(2_000, 1);
const classifier = trainClassifier(deliveryTask, examples);

function withoutTiming(body: string): unknown {
  const parsed: { metrics: { trainMs?: number } } = JSON.parse(body);
  delete parsed.metrics.trainMs;
  return parsed;
}

describe('trainClassifier', () => {
  test('learns a threshold and a text flag, and reports validation metrics', () => {
    const { metrics } = classifier;
    expect(metrics.labels).toEqual([...LABELS]);
    expect(metrics.trainExamples + metrics.validationExamples).toBe(2_000);
    expect(metrics.validationExamples).toBe(400);
    expect(metrics.accuracy).toBeGreaterThan(0.97);
    expect(metrics.macroF1).toBeGreaterThan(0.95);
    expect(metrics.eceAfter).toBeLessThan(0.05);
    expect(metrics.temperature).toBeGreaterThan(0);
    expect(metrics.confusionMatrix.flat().reduce((a, b) => a + b, 0)).toBe(400);
  });

  test('is deterministic: the same examples and seed give the same model', () => {
    const again = trainClassifier(deliveryTask, examples);
    expect(withoutTiming(again.serialize())).toEqual(withoutTiming(classifier.serialize()));
  });

  test('also trains one plain linear model when score bins are turned off', () => {
    const plain = trainClassifier(deliveryTask, examples, { scoreQuantiles: 0 });
    expect(plain.metrics.modelColumns).toBeLessThan(classifier.metrics.modelColumns);
    expect(plain.predict(deliveryTask.features({ days: 1, reliability: 0.9, note: '' })).label).toBe(
      'urgent',
    );
    const restored = TrainedClassifier.deserialize(plain.serialize(), LABELS);
    expect(restored.predict({ numeric: { days: 50, reliability: 0.7 }, text: '' }).label).toBe('relaxed');
  });

  test('rejects too few examples, an undeclared label and a single label', () => {
    expect(() => trainClassifier(deliveryTask, examples.slice(0, MIN_TRAINING_EXAMPLES - 1))).toThrow(
      `task "delivery" needs at least ${MIN_TRAINING_EXAMPLES} labelled examples to train, got ${MIN_TRAINING_EXAMPLES - 1}`,
    );
    const stray: Example<Delivery, string>[] = [
      ...examples.slice(0, 30),
      { input: { days: 1, reliability: 1, note: '' }, label: 'soon' },
    ];
    const loose: EmbeddedClassifyTask<Delivery, string> = deliveryTask;
    expect(() => trainClassifier(loose, stray)).toThrow(
      'example 30 of task "delivery" has label "soon", not one of urgent, normal, relaxed',
    );
    const allNormal = examples.slice(0, 40).map((example) => ({ ...example, label: 'normal' as const }));
    expect(() => trainClassifier(deliveryTask, allNormal)).toThrow('needs examples of at least two labels');
  });

  test('rejects invalid embedded hints with the field named', () => {
    const broken: EmbeddedClassifyTask<Delivery, Label> = {
      ...deliveryTask,
      embedded: { encoding: { interactions: [{ feature: 'days', flag: 'missing' }] } },
    };
    expect(() => trainClassifier(broken, examples)).toThrow(
      'invalid embedded hints of task "delivery": encoding.interactions.0.flag: interaction uses text flag "missing"',
    );
  });
});

describe('TrainedClassifier.predict', () => {
  test('gives calibrated probabilities over all labels; confidence is the top one', () => {
    const prediction = classifier.predict(deliveryTask.features({ days: 2, reliability: 0.9, note: '' }));
    expect(prediction.label).toBe('urgent');
    expect(Object.keys(prediction.probabilities)).toEqual([...LABELS]);
    const total = Object.values(prediction.probabilities).reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(1, 12);
    expect(prediction.confidence).toBe(Math.max(...Object.values(prediction.probabilities)));
    expect(prediction.confidence).toBeGreaterThan(0.8);
  });

  test('explains with the task’s feature names, value formats and the matched phrase', () => {
    const rush = classifier.predict(
      deliveryTask.features({ days: 30, reliability: 0.62, note: 'Rush please' }),
    );
    expect(rush.label).toBe('urgent');
    expect(rush.contributions[0]).toMatchObject({
      feature: 'flag:rushNote',
      name: 'rush note',
      value: 1,
      display: 'notes mention "rush"',
      kind: 'text',
    });
    expect(rush.explanation).toMatch(/^urgent \(\d\.\d\d\): notes mention "rush"/);

    const soon = classifier.predict(deliveryTask.features({ days: 1, reliability: 0.62, note: '' }));
    const days = soon.contributions.find((contribution) => contribution.feature === 'days');
    expect(days).toMatchObject({ name: 'days left', value: 1, display: 'days left 1', kind: 'numeric' });
    expect(days?.effect).toBeGreaterThan(0);
    expect(soon.explanation).toMatch(/^urgent \(\d\.\d\d\): days left 1 \((strong|moderate|weak)\)/);
    const reliability = soon.contributions.find((contribution) => contribution.feature === 'reliability');
    expect(reliability?.display).toBe('reliability 62%');
  });

  test('sorts contributions from most to least supportive', () => {
    const { contributions } = classifier.predict(
      deliveryTask.features({ days: 50, reliability: 0.8, note: 'gate 2' }),
    );
    const effects = contributions.map((contribution) => contribution.effect);
    expect(effects).toEqual([...effects].sort((a, b) => b - a));
  });

  test('with only the top contributions, gives the same labels and explanations', () => {
    const rows = examples.slice(0, 200).map((example) => deliveryTask.features(example.input));
    const full = classifier.predictAll(rows);
    const top = classifier.predictAll(rows, { contributions: 'top' });
    expect(top.map((p) => [p.label, p.confidence, p.explanation])).toEqual(
      full.map((p) => [p.label, p.confidence, p.explanation]),
    );
    top.forEach((prediction, i) => {
      expect(prediction.contributions.length).toBeLessThanOrEqual(5);
      expect(prediction.contributions.every((contribution) => contribution.effect > 0)).toBe(true);
      expect(prediction.contributions).toEqual(
        full[i]?.contributions
          .filter((contribution) => contribution.effect > 0)
          .slice(0, prediction.contributions.length),
      );
    });
  });

  test('lazy explanations are the top explanations, worked out when first read', () => {
    const rows = examples.slice(0, 100).map((example) => deliveryTask.features(example.input));
    const top = classifier.predictAll(rows, { contributions: 'top' });
    const lazy = classifier.predictAll(rows, { contributions: 'lazy' });
    expect(lazy.map((p) => [p.label, p.confidence, p.explanation, p.contributions])).toEqual(
      top.map((p) => [p.label, p.confidence, p.explanation, p.contributions]),
    );
    expect(lazy[0]?.explanation).toBe(lazy[0]?.explanation);
  });

  test('predictAll equals predict row by row', () => {
    const rows = examples.slice(0, 20).map((example) => deliveryTask.features(example.input));
    expect(classifier.predictAll(rows)).toEqual(rows.map((row) => classifier.predict(row)));
  });
});

describe('TrainedClassifier.serialize / deserialize', () => {
  test('round-trips exactly', () => {
    const restored = TrainedClassifier.deserialize(classifier.serialize(), LABELS);
    const rows = examples.slice(0, 50).map((example) => deliveryTask.features(example.input));
    expect(restored.predictAll(rows)).toEqual(classifier.predictAll(rows));
    expect(restored.metrics).toEqual(classifier.metrics);
    expect(restored.serialize()).toBe(classifier.serialize());
    expect(TrainedClassifier.deserialize(classifier.serialize()).labels).toEqual([...LABELS]);
  });

  test('refuses a body for other labels, another format, or damaged arrays', () => {
    const body = classifier.serialize();
    expect(() => TrainedClassifier.deserialize(body, ['urgent', 'normal'])).toThrow(
      'the stored model predicts [urgent, normal, relaxed], the task expects [urgent, normal]',
    );
    expect(() => TrainedClassifier.deserialize('{')).toThrow('invalid classifier body: not JSON');
    const parsed = JSON.parse(body);
    expect(() => TrainedClassifier.deserialize(JSON.stringify({ ...parsed, format: 2 }))).toThrow(
      /^invalid classifier body: format: /,
    );
    expect(() => TrainedClassifier.deserialize(JSON.stringify({ ...parsed, weights: [1, 2, 3] }))).toThrow(
      /invalid classifier body: 3 weights and 3 biases do not fit \d+ columns × 3 labels/,
    );
  });
});
