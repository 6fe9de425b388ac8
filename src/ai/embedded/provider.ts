import type { z } from 'zod';
import { ErpError } from '../../errors/index.ts';
import type { StoredModel } from '../../store/contract.ts';
import {
  AI_TASK_KINDS,
  type AiCallOptions,
  type AiProvider,
  type Classification,
  type ClassifyTask,
  type Detection,
  type DetectTask,
  type Example,
  type Extraction,
  type ExtractTask,
  type RuleExtraction,
  unsupportedTask,
} from '../contract.ts';
import { checkMasterData } from '../guardrails/master-data.ts';
import {
  type ClassifierMetrics,
  type TrainClassifierOptions,
  TrainedClassifier,
  trainClassifier,
} from './classifier.ts';
import type { EmbeddedClassifyTask } from './embedded-task.ts';

/** The part of the store the embedded provider uses: one model per task name. */
export interface ModelStore {
  /** The newest model saved under `name`, if any. */
  load(name: string): Promise<StoredModel | undefined>;
  save(model: StoredModel): Promise<void>;
}

/** Labelled history, as a list or a stream (page by page from an ERP). */
export type ExampleSource =
  | readonly Example<unknown, string>[]
  | Promise<readonly Example<unknown, string>[]>
  | AsyncIterable<Example<unknown, string>>;

export interface EmbeddedProviderOptions {
  modelStore: ModelStore;
  /**
   * The labelled history of a task, by task name; its inputs must be that task's inputs. Called
   * only when no stored model fits, at most once per task at a time.
   */
  loadExamples: (taskName: string) => ExampleSource;
  /** Training settings; see `TrainClassifierOptions` for the defaults. */
  training?: TrainClassifierOptions;
  /** Upper bound on each model-store call. Default 30,000 ms. */
  storeTimeoutMs?: number;
  /**
   * A stored model older than this is trained again on the history as it is now, so what people
   * coded since reaches the model (on the real GL lines, retraining monthly gained 1.7 points of
   * accuracy over a model frozen at the start). Absent: a stored model is kept until its task's
   * feature version changes. 0: train on every first use.
   */
  retrainAfterMs?: number;
  /** Clock for `createdAt` of saved models and their age. Default `() => new Date()`. */
  now?: () => Date;
}

/** What `ensureModel` found or did; the CLI prints it and the engine audits a training. */
export interface ModelReady {
  /** As in `Classification.model`: `embedded:po-urgency@f1`. */
  model: string;
  /** `<task>@f<featureVersion>`: a stored model with another version is retrained. */
  version: string;
  /** True when this call trained the model; false when it was loaded from the store. */
  trained: boolean;
  /** Why a stored model was not used, when one existed. */
  replaced?: string;
  /** When the model was trained (ISO). */
  trainedAt: string;
  metrics: ClassifierMetrics;
}

/**
 * The embedded provider: the one provider contract, answered offline — classify by the learned
 * model, extract by the task's rules, detect by the task's detector — and a way to get the
 * classifier ready first.
 */
export interface EmbeddedProvider extends AiProvider {
  readonly kind: 'embedded';
  /**
   * Loads the task's stored model if its version matches and it is not older than
   * `retrainAfterMs`, else trains one from the examples and saves it; `retrain: true` trains
   * whatever is stored. Idempotent: later calls return the same answer without touching the store.
   */
  ensureModel<Input, Label extends string>(
    task: ClassifyTask<Input, Label>,
    options?: { signal?: AbortSignal; retrain?: boolean },
  ): Promise<ModelReady>;
}

const DEFAULT_STORE_TIMEOUT_MS = 30_000;

/** `9 days`, `5 hours`, `40 minutes`: a model's age, as a person reads it. */
function describeAge(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} hours`;
  return `${Math.round(hours / 24)} days`;
}

/** `po-urgency@f1`: the version a stored model must carry to be used for this task. */
export function modelVersion(task: { name: string; featureVersion: number }): string {
  return `${task.name}@f${task.featureVersion}`;
}

/**
 * The offline classifier: no network, no downloaded weights. On first use of a task it loads the
 * stored model whose version is `${task.name}@f${task.featureVersion}`, or trains one from the
 * task's labelled history and saves it, with its validation metrics, for the next run.
 *
 * @example
 * const provider = createEmbeddedProvider({
 *   modelStore: { load: (name) => store.loadModel(name), save: (model) => store.saveModel(model) },
 *   loadExamples: () => history(),
 * });
 * const ready = await provider.ensureModel(poUrgencyTask); // { model, trained, metrics }
 * const [result] = await provider.classify(poUrgencyTask, [input]);
 */
export function createEmbeddedProvider(options: EmbeddedProviderOptions): EmbeddedProvider {
  const storeTimeoutMs = options.storeTimeoutMs ?? DEFAULT_STORE_TIMEOUT_MS;
  if (!(storeTimeoutMs > 0)) throw new RangeError(`storeTimeoutMs must be > 0, got ${storeTimeoutMs}`);
  if (options.retrainAfterMs !== undefined && !(options.retrainAfterMs >= 0)) {
    throw new RangeError(`retrainAfterMs must be 0 or more, got ${options.retrainAfterMs}`);
  }
  const now = options.now ?? (() => new Date());
  const ready = new Map<string, Promise<{ classifier: TrainedClassifier; summary: ModelReady }>>();

  const prepare = async (
    task: EmbeddedClassifyTask<unknown, string>,
    signal: AbortSignal | undefined,
    force: boolean,
  ): Promise<{ classifier: TrainedClassifier; summary: ModelReady }> => {
    const version = modelVersion(task);
    const model = `embedded:${version}`;
    const stored = await withTimeout(
      options.modelStore.load(task.name),
      storeTimeoutMs,
      `loading model ${task.name}`,
    );
    let replaced: string | undefined;
    const ageMs = stored === undefined ? 0 : now().getTime() - Date.parse(stored.createdAt);
    if (stored !== undefined && stored.version !== version) {
      replaced = `the stored model is ${stored.version}, the task needs ${version}`;
    } else if (stored !== undefined && force) {
      replaced = `retraining was asked for (the stored model is from ${stored.createdAt})`;
    } else if (
      stored !== undefined &&
      options.retrainAfterMs !== undefined &&
      !(ageMs < options.retrainAfterMs)
    ) {
      replaced = `the stored model is from ${stored.createdAt}, ${describeAge(ageMs)} old; models are retrained after ${describeAge(options.retrainAfterMs)}`;
    } else if (stored !== undefined) {
      try {
        const classifier = TrainedClassifier.deserialize(stored.body, task.labels);
        return {
          classifier,
          summary: {
            model,
            version,
            trained: false,
            trainedAt: stored.createdAt,
            metrics: classifier.metrics,
          },
        };
      } catch (error) {
        // A stored model is derived data: one this code cannot read is replaced, and the reason reported.
        if (!(error instanceof TypeError)) throw error;
        replaced = `the stored model could not be read (${error.message})`;
      }
    }

    signal?.throwIfAborted();
    const examples = await collect(options.loadExamples(task.name), signal);
    signal?.throwIfAborted();
    const classifier = trainClassifier(task, examples, options.training);
    const trainedAt = now().toISOString();
    await withTimeout(
      options.modelStore.save({
        name: task.name,
        version,
        createdAt: trainedAt,
        metrics: classifier.metrics,
        body: classifier.serialize(),
      }),
      storeTimeoutMs,
      `saving model ${task.name}`,
    );
    const summary: ModelReady = { model, version, trained: true, trainedAt, metrics: classifier.metrics };
    if (replaced !== undefined) summary.replaced = replaced;
    return { classifier, summary };
  };

  const ensure = (
    task: EmbeddedClassifyTask<unknown, string>,
    signal: AbortSignal | undefined,
    force = false,
  ): Promise<{ classifier: TrainedClassifier; summary: ModelReady }> => {
    const version = modelVersion(task);
    let pending = force ? undefined : ready.get(version);
    if (pending === undefined) {
      pending = prepare(task, signal, force);
      ready.set(version, pending);
      // A failed load or training is not remembered: the next call tries again.
      pending.catch(() => {
        if (ready.get(version) === pending) ready.delete(version);
      });
    }
    return pending;
  };

  return {
    kind: 'embedded',

    async ensureModel(task, ensureOptions = {}) {
      // `features` is a method, so a task of any input widens to `unknown` here: the examples that
      // `loadExamples(task.name)` returns are, by its contract, inputs of this task.
      const anyInput: EmbeddedClassifyTask<unknown, string> = task;
      return (await ensure(anyInput, ensureOptions.signal, ensureOptions.retrain ?? false)).summary;
    },

    supports: AI_TASK_KINDS,

    async classify<Input, Label extends string>(
      task: ClassifyTask<Input, Label>,
      inputs: readonly Input[],
      classifyOptions: AiCallOptions = {},
    ): Promise<Classification<Label>[]> {
      const anyInput: EmbeddedClassifyTask<unknown, string> = task;
      const { classifier, summary } = await ensure(anyInput, classifyOptions.signal);
      classifyOptions.signal?.throwIfAborted();
      const typed = classifier.forLabels(task.labels);
      const features = inputs.map((input) => task.features(input));
      // Explanations are worked out when read: most classified records are never explained.
      return typed.predictAll(features, { contributions: 'lazy' }).map((prediction) => ({
        label: prediction.label,
        confidence: prediction.confidence,
        probabilities: prediction.probabilities,
        get explanation() {
          return prediction.explanation;
        },
        model: summary.model,
      }));
    },

    async extract<Input, Schema extends z.ZodObject>(
      task: ExtractTask<Input, Schema>,
      inputs: readonly Input[],
      extractOptions: AiCallOptions = {},
    ): Promise<Extraction<z.output<Schema>>[]> {
      extractOptions.signal?.throwIfAborted();
      const rules = task.rules;
      if (rules === undefined) throw unsupportedTask('embedded', 'extract', task.name, 'it has no rules');
      return inputs.map((input, index) => {
        let found: RuleExtraction;
        try {
          found = rules(input);
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          throw new ErpError(
            'permanent',
            `task "${task.name}": its rules failed on input ${index}: ${reason}`,
            {
              entity: task.name,
              key: String(index),
              cause: error,
            },
          );
        }
        return extractByRules(task, found, index);
      });
    },

    async detect<Input>(
      task: DetectTask<Input>,
      inputs: readonly Input[],
      detectOptions: AiCallOptions = {},
    ): Promise<Detection[]> {
      detectOptions.signal?.throwIfAborted();
      const detector = task.detector;
      if (detector === undefined)
        throw unsupportedTask('embedded', 'detect', task.name, 'it has no detector');
      if (inputs.length === 0) return [];
      const verdicts = await detector(inputs);
      detectOptions.signal?.throwIfAborted();
      if (verdicts.length !== inputs.length) {
        throw new ErpError(
          'permanent',
          `task "${task.name}": its detector returned ${verdicts.length} verdicts for ${inputs.length} inputs`,
          { entity: task.name, hint: 'a detector returns one verdict per input, in input order' },
        );
      }
      const model = `embedded:${task.name}@detector`;
      return verdicts.map((verdict, index) => {
        if (!(Number.isFinite(verdict.score) && verdict.score >= 0 && verdict.score <= 1)) {
          throw new ErpError(
            'permanent',
            `task "${task.name}": its detector scored input ${index} ${verdict.score}, outside 0..1`,
            { entity: task.name, key: String(index) },
          );
        }
        const reasons = verdict.reasons.map((reason) => reason.trim()).filter((reason) => reason !== '');
        return {
          score: verdict.score,
          reasons,
          explanation: reasons.length > 0 ? reasons.join('; ') : 'nothing unusual found',
          model,
        };
      });
    },
  };
}

/**
 * Checks what a task's rules found against its schema and master data: valid fields, or a result
 * for review that says which field was missing or not allowed (and keeps what was found as `draft`).
 */
function extractByRules<Schema extends z.ZodObject>(
  task: ExtractTask<never, Schema>,
  found: RuleExtraction,
  index: number,
): Extraction<z.output<Schema>> {
  const model = `embedded:${task.name}@rules`;
  const confidence = found.confidence ?? 1;
  if (!(confidence >= 0 && confidence <= 1)) {
    throw new ErpError(
      'permanent',
      `task "${task.name}": its rules gave input ${index} confidence ${confidence}, outside 0..1`,
      {
        entity: task.name,
        key: String(index),
      },
    );
  }
  const parsed = task.schema.safeParse(found.fields);
  const problems = parsed.success
    ? checkMasterData(parsed.data, task.masterData ?? {}, task.schema).map((issue) => issue.message)
    : parsed.error.issues.map(
        (issue) => `${issue.path.map(String).join('.') || '(fields)'}: ${issue.message}`,
      );
  if (!parsed.success || problems.length > 0) {
    const reason = `the rules could not extract every field (${problems[0] ?? 'invalid'}${problems.length > 1 ? ` and ${problems.length - 1} more` : ''})`;
    return {
      fields: null,
      confidence: 0,
      explanation: `needs review: ${reason}`,
      model,
      review: { reason },
      draft: found.fields,
    };
  }
  const explanation =
    found.explanation?.trim() ||
    `found by the rules of ${task.name}: ${Object.keys(found.fields).join(', ')}`;
  return { fields: parsed.data, confidence, explanation, model };
}

async function collect(
  source: ExampleSource,
  signal: AbortSignal | undefined,
): Promise<readonly Example<unknown, string>[]> {
  if (!isAsyncIterable(source)) return await source;
  const examples: Example<unknown, string>[] = [];
  for await (const example of source) {
    signal?.throwIfAborted();
    examples.push(example);
  }
  return examples;
}

function isAsyncIterable(source: ExampleSource): source is AsyncIterable<Example<unknown, string>> {
  return typeof source === 'object' && source !== null && Symbol.asyncIterator in source;
}

/** Rejects with a transient `ErpError` when `promise` takes longer than `ms`; clears its timer either way. */
async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ErpError('transient', `${what} took longer than ${ms} ms`, {
            hint: 'check that the store is reachable, or raise storeTimeoutMs',
          }),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
