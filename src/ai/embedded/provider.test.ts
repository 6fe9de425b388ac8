import { describe, expect, test } from 'vitest';
import { ErpError } from '../../errors/index.ts';
import type { StoredModel } from '../../store/contract.ts';
import type { ClassifyTask, Example } from '../contract.ts';
import { TrainedClassifier } from './classifier.ts';
import { createEmbeddedProvider, type ExampleSource, type ModelStore, modelVersion } from './provider.ts';
import { seededRandom } from './seeded-random.ts';

interface Order {
  days: number;
  note: string;
}
const LABELS = ['urgent', 'normal', 'low'] as const;
type Label = (typeof LABELS)[number];

const orderTask: ClassifyTask<Order, Label> = {
  name: 'order-urgency',
  labels: LABELS,
  featureVersion: 2,
  features: (input) => ({ numeric: { days: input.days }, text: input.note }),
  featureNames: { days: 'days left' },
  instructions: 'unused',
  describe: (input) => ({ days: input.days }),
};

function history(count: number): Example<Order, Label>[] {
  const random = seededRandom(5);
  return Array.from({ length: count }, () => {
    const days = Math.round(random() * 60);
    const note = random() < 0.1 ? 'line down' : 'deliver to gate 2';
    const label: Label = days < 10 || note === 'line down' ? 'urgent' : days > 40 ? 'low' : 'normal';
    return { input: { days, note }, label };
  });
}

/** An in-memory model store that records what happened to it. */
function memoryStore(initial: StoredModel[] = []): ModelStore & { saved: StoredModel[]; loads: number } {
  const models = new Map(initial.map((model) => [model.name, model]));
  const saved: StoredModel[] = [];
  const store = {
    saved,
    loads: 0,
    async load(name: string) {
      store.loads++;
      return models.get(name);
    },
    async save(model: StoredModel) {
      saved.push(model);
      models.set(model.name, model);
    },
  };
  return store;
}

function countingLoader(examples: ExampleSource): {
  load: (taskName: string) => ExampleSource;
  calls: string[];
} {
  const calls: string[] = [];
  return {
    calls,
    load: (taskName) => {
      calls.push(taskName);
      return examples;
    },
  };
}

const examples = history(600);
const fixedNow = () => new Date('2026-01-02T03:04:05.000Z');

describe('createEmbeddedProvider', () => {
  test('trains on first use, saves the model with its metrics, and classifies', async () => {
    const store = memoryStore();
    const loader = countingLoader(Promise.resolve(examples));
    const provider = createEmbeddedProvider({ modelStore: store, loadExamples: loader.load, now: fixedNow });

    const ready = await provider.ensureModel(orderTask);
    expect(ready).toMatchObject({
      model: 'embedded:order-urgency@f2',
      version: 'order-urgency@f2',
      trained: true,
    });
    expect(ready.replaced).toBeUndefined();
    expect(ready.metrics.macroF1).toBeGreaterThan(0.9);
    expect(loader.calls).toEqual(['order-urgency']);
    expect(store.saved).toHaveLength(1);
    expect(store.saved[0]).toMatchObject({
      name: 'order-urgency',
      version: 'order-urgency@f2',
      createdAt: '2026-01-02T03:04:05.000Z',
      metrics: ready.metrics,
    });

    const [urgent, low] = await provider.classify(orderTask, [
      { days: 3, note: '' },
      { days: 55, note: '' },
    ]);
    expect(urgent).toMatchObject({ label: 'urgent', model: 'embedded:order-urgency@f2' });
    expect(urgent?.explanation).toMatch(/^urgent \(\d\.\d\d\): days left 3/);
    expect(low?.label).toBe('low');
    expect(Object.keys(low?.probabilities ?? {})).toEqual([...LABELS]);
    expect(loader.calls).toHaveLength(1);
  });

  test('loads a stored model of the same version instead of training', async () => {
    const store = memoryStore();
    const first = createEmbeddedProvider({ modelStore: store, loadExamples: () => examples });
    const inputs = [
      { days: 3, note: '' },
      { days: 25, note: 'line down' },
    ];
    const trainedAnswers = await first.classify(orderTask, inputs);

    const loader = countingLoader(examples);
    const second = createEmbeddedProvider({ modelStore: store, loadExamples: loader.load });
    const ready = await second.ensureModel(orderTask);
    expect(ready.trained).toBe(false);
    expect(ready.metrics).toEqual(store.saved[0]?.metrics);
    expect(loader.calls).toEqual([]);
    expect(await second.classify(orderTask, inputs)).toEqual(trainedAnswers);
  });

  test('retrains when the stored model is for another feature version, and says why', async () => {
    const store = memoryStore();
    await createEmbeddedProvider({ modelStore: store, loadExamples: () => examples }).ensureModel(orderTask);
    const bumped = { ...orderTask, featureVersion: 3 };
    const ready = await createEmbeddedProvider({
      modelStore: store,
      loadExamples: () => examples,
    }).ensureModel(bumped);
    expect(ready).toMatchObject({
      trained: true,
      version: 'order-urgency@f3',
      replaced: 'the stored model is order-urgency@f2, the task needs order-urgency@f3',
    });
    expect(store.saved.map((model) => model.version)).toEqual(['order-urgency@f2', 'order-urgency@f3']);
  });

  test('retrains when the stored body cannot be read, and says why', async () => {
    const broken: StoredModel = {
      name: 'order-urgency',
      version: modelVersion(orderTask),
      createdAt: '2025-01-01T00:00:00.000Z',
      metrics: {},
      body: '{"format":0}',
    };
    const ready = await createEmbeddedProvider({
      modelStore: memoryStore([broken]),
      loadExamples: () => examples,
    }).ensureModel(orderTask);
    expect(ready.trained).toBe(true);
    expect(ready.replaced).toMatch(/^the stored model could not be read \(invalid classifier body: format: /);
  });

  test('trains once when many batches ask at the same time', async () => {
    const loader = countingLoader(examples);
    const provider = createEmbeddedProvider({ modelStore: memoryStore(), loadExamples: loader.load });
    const batches = await Promise.all(
      Array.from({ length: 5 }, (_, i) => provider.classify(orderTask, [{ days: i * 10, note: '' }])),
    );
    expect(batches.flat()).toHaveLength(5);
    expect(loader.calls).toHaveLength(1);
  });

  test('reads examples streamed page by page', async () => {
    async function* pages(): AsyncIterable<Example<unknown, string>> {
      for (const example of examples) yield example;
    }
    const provider = createEmbeddedProvider({ modelStore: memoryStore(), loadExamples: () => pages() });
    expect((await provider.ensureModel(orderTask)).metrics.trainExamples).toBe(480);
  });

  test('a failed training is not remembered: the next call tries again', async () => {
    let calls = 0;
    const provider = createEmbeddedProvider({
      modelStore: memoryStore(),
      loadExamples: () => (++calls === 1 ? examples.slice(0, 5) : examples),
    });
    await expect(provider.ensureModel(orderTask)).rejects.toThrow(
      'task "order-urgency" needs at least 20 labelled examples to train, got 5',
    );
    expect((await provider.ensureModel(orderTask)).trained).toBe(true);
  });

  test('stops before training when the signal is aborted', async () => {
    const loader = countingLoader(examples);
    const provider = createEmbeddedProvider({ modelStore: memoryStore(), loadExamples: loader.load });
    const controller = new AbortController();
    controller.abort(new Error('run cancelled'));
    await expect(
      provider.classify(orderTask, [{ days: 1, note: '' }], { signal: controller.signal }),
    ).rejects.toThrow('run cancelled');
    expect(loader.calls).toEqual([]);
  });

  test('bounds a model-store call that never answers', async () => {
    const stuck: ModelStore = { load: () => new Promise(() => {}), save: async () => {} };
    const provider = createEmbeddedProvider({
      modelStore: stuck,
      loadExamples: () => examples,
      storeTimeoutMs: 20,
    });
    const failure = provider.ensureModel(orderTask);
    await expect(failure).rejects.toBeInstanceOf(ErpError);
    await expect(failure).rejects.toMatchObject({
      kind: 'transient',
      message: 'loading model order-urgency took longer than 20 ms',
    });
  });

  test('the saved body is a classifier for the task’s labels', async () => {
    const store = memoryStore();
    await createEmbeddedProvider({ modelStore: store, loadExamples: () => examples }).ensureModel(orderTask);
    const body = store.saved[0]?.body ?? '';
    expect(
      TrainedClassifier.deserialize(body, LABELS).predict(orderTask.features({ days: 2, note: '' })).label,
    ).toBe('urgent');
  });

  test('retrains a model older than retrainAfterMs on the history as it is then, so new codings reach it', async () => {
    const store = memoryStore();
    const DAY = 86_400_000;
    const start = Date.parse('2026-01-02T00:00:00.000Z');
    // Later, the buyers code orders whose notes say "line down" as low: the line was retired.
    const retired = history(600).map((example) =>
      example.input.note === 'line down' ? { ...example, label: 'low' as const } : example,
    );
    const asOf = (days: number, source: ExampleSource) =>
      createEmbeddedProvider({
        modelStore: store,
        loadExamples: () => source,
        retrainAfterMs: 7 * DAY,
        now: () => new Date(start + days * DAY),
      });
    const lineDown = { days: 30, note: 'line down' };

    const first = asOf(0, examples);
    expect((await first.ensureModel(orderTask)).trained).toBe(true);
    expect((await first.classify(orderTask, [lineDown]))[0]?.label).toBe('urgent');

    // Three days on: the stored model is used, though the history has changed.
    const soon = asOf(3, retired);
    expect(await soon.ensureModel(orderTask)).toMatchObject({
      trained: false,
      trainedAt: '2026-01-02T00:00:00.000Z',
    });
    expect((await soon.classify(orderTask, [lineDown]))[0]?.label).toBe('urgent');

    // Eight days on: it is too old, and the new model has learned the new coding.
    const later = asOf(8, retired);
    expect(await later.ensureModel(orderTask)).toMatchObject({
      trained: true,
      trainedAt: '2026-01-10T00:00:00.000Z',
      replaced:
        'the stored model is from 2026-01-02T00:00:00.000Z, 8 days old; models are retrained after 7 days',
    });
    expect((await later.classify(orderTask, [lineDown]))[0]?.label).toBe('low');
    expect(store.saved.map((model) => model.createdAt)).toEqual([
      '2026-01-02T00:00:00.000Z',
      '2026-01-10T00:00:00.000Z',
    ]);
  });

  test('retrain: true trains whatever is stored; without retrainAfterMs a model is kept at any age', async () => {
    const store = memoryStore();
    const loader = countingLoader(examples);
    const provider = createEmbeddedProvider({ modelStore: store, loadExamples: loader.load, now: fixedNow });
    await provider.ensureModel(orderTask);
    expect((await provider.ensureModel(orderTask)).trained).toBe(true); // the same call's answer
    const forced = await provider.ensureModel(orderTask, { retrain: true });
    expect(forced.trained).toBe(true);
    expect(forced.replaced).toBe(
      'retraining was asked for (the stored model is from 2026-01-02T03:04:05.000Z)',
    );
    expect(loader.calls).toHaveLength(2);

    const yearsLater = createEmbeddedProvider({
      modelStore: store,
      loadExamples: loader.load,
      now: () => new Date('2031-01-01T00:00:00.000Z'),
    });
    expect((await yearsLater.ensureModel(orderTask)).trained).toBe(false);
    expect(() =>
      createEmbeddedProvider({ modelStore: store, loadExamples: loader.load, retrainAfterMs: -1 }),
    ).toThrow('retrainAfterMs must be 0 or more, got -1');
  });
});
