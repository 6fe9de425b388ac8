import { performance } from 'node:perf_hooks';
import type { Classification, Example } from '../contract.ts';
import { evaluateClassifications } from './metrics.ts';
import {
  type CoveragePoint,
  coverageAt,
  precisionCoverageCurve,
  thinCurve,
  thresholdForPrecision,
} from './precision-coverage.ts';
import { type ReliabilityBin, reliability } from './reliability.ts';

/** A labelled example with the business date that orders it in time. */
export interface DatedExample<Input> {
  example: Example<Input, string>;
  /** `YYYY-MM-DD`. */
  date: string;
}

/** A trained way of answering: classifies inputs, and says what that cost. */
export interface Answerer<Input> {
  /** Which model answered, e.g. `embedded:gl-coding@f1`. */
  model: string;
  classify(inputs: readonly Input[]): Promise<Classification<string>[]>;
  /** Money spent so far, in USD (an LLM's tokens); absent or 0 for offline models. */
  cost?(): number;
}

/** One provider or model to compare: how it learns from history. */
export interface Candidate<Input> {
  /** Short name: `baseline`, `embedded`, `llm`. */
  name: string;
  /** What it is, for the report: `merchant lookup + naive Bayes`. */
  description: string;
  /** Learns from labelled history (oldest first) and returns how it answers. */
  fit(history: readonly Example<Input, string>[]): Promise<Answerer<Input>>;
}

/** What to compare on what. */
export interface ComparisonPlan<Input> {
  workflow: string;
  task: { name: string; labels: readonly string[]; labelDescriptions?: Partial<Record<string, string>> };
  /** Labelled history to learn from; sorted by date here. */
  history: readonly DatedExample<Input>[];
  /** Labelled lines to test on, never learned from. */
  test: readonly DatedExample<Input>[];
  candidates: readonly Candidate<Input>[];
  /** Where the data came from, for the report (`train.csv before 2016-07-01`). */
  source: { history: string; test: string; splitDate: string | null };
  /** The precision automation must keep. Default 0.95. */
  precision?: number;
  /**
   * The newest share of the history that chooses each candidate's threshold (after learning from
   * the older rest); the test set never does. Default 0.2.
   */
  validationShare?: number;
  /** Fewest validation answers a threshold may rest on. Default 20. */
  minThresholdSupport?: number;
  /** Labels shown one by one in the confusion matrix, the commonest in the test set first. Default 12. */
  confusionLabels?: number;
  /** Answers per classify call (bounds memory and an LLM's batch). Default 1000. */
  batchSize?: number;
  now?: () => Date;
}

/** How one candidate did on the test set. */
export interface CandidateReport {
  name: string;
  description: string;
  /** The model that answered the test set, or null when the candidate failed. */
  model: string | null;
  /** Why the candidate could not be evaluated; the other fields are then empty. */
  error: string | null;
  examples: number;
  accuracy: number;
  macroF1: number;
  /** Test lines whose true label the history never had: always errors. */
  unseenLabels: number;
  perLabel: {
    label: string;
    name: string | null;
    precision: number;
    recall: number;
    f1: number;
    support: number;
    predicted: number;
  }[];
  /** Truth down, predicted across; the commonest labels, the rest summed as `other`. */
  confusion: { labels: string[]; matrix: number[][] };
  calibration: { ece: number; bins: ReliabilityBin[] };
  /** The confidence threshold chosen on the validation slice for the target precision. */
  threshold: {
    precision: number;
    /** Null when no cut of the validation answers reached the precision: nothing is automated. */
    value: number | null;
    validation: {
      examples: number;
      from: string | null;
      to: string | null;
      coverage: number;
      precision: number;
    };
  };
  /** The test lines at or above that threshold: the share automated and how many were right. */
  atThreshold: { coverage: number; precision: number; count: number };
  /** Precision–coverage curve on the test set (thinned to about 100 points). */
  curve: CoveragePoint[];
  /** In hindsight, the best cut on the test set itself: for reading the curve, not a valid threshold. */
  hindsight: { threshold: number; coverage: number } | null;
  latency: { totalMs: number; perLineMs: number };
  cost: { total: number; perLine: number; currency: 'USD' };
  trainMs: number;
}

/** The whole comparison, as written to `report.json`. */
export interface ComparisonReport {
  format: 1;
  workflow: string;
  task: string;
  createdAt: string;
  source: { history: string; test: string; splitDate: string | null };
  history: { examples: number; from: string | null; to: string | null; labels: number };
  test: { examples: number; from: string | null; to: string | null; labels: number };
  precisionTarget: number;
  candidates: CandidateReport[];
}

/**
 * Compares candidates honestly on a time split: each learns from the history only; its
 * confidence threshold for the target precision is chosen on the newest slice of the history
 * (after learning from the older rest), then it learns from the whole history and answers the
 * test set once. Labels the history never had count as errors.
 */
export async function compareCandidates<Input>(plan: ComparisonPlan<Input>): Promise<ComparisonReport> {
  const target = plan.precision ?? 0.95;
  const share = plan.validationShare ?? 0.2;
  if (!(share > 0 && share < 1))
    throw new RangeError(`validationShare must be between 0 and 1, got ${share}`);
  if (plan.history.length === 0) throw new RangeError('there is no labelled history to learn from');
  if (plan.test.length === 0) throw new RangeError('there are no labelled lines to test on');
  const history = [...plan.history].sort((a, b) => a.date.localeCompare(b.date));
  const test = [...plan.test].sort((a, b) => a.date.localeCompare(b.date));
  const { older, validation } = latestSlice(history, share);
  const historyLabels = new Set(history.map((item) => item.example.label));

  const candidates: CandidateReport[] = [];
  for (const candidate of plan.candidates) {
    try {
      candidates.push(
        await evaluateCandidate(candidate, {
          plan,
          history,
          older,
          validation,
          test,
          target,
          historyLabels,
        }),
      );
    } catch (error) {
      candidates.push(failedCandidate(candidate, error, target));
    }
  }
  return {
    format: 1,
    workflow: plan.workflow,
    task: plan.task.name,
    createdAt: (plan.now?.() ?? new Date()).toISOString(),
    source: plan.source,
    history: { examples: history.length, ...span(history), labels: historyLabels.size },
    test: {
      examples: test.length,
      ...span(test),
      labels: new Set(test.map((item) => item.example.label)).size,
    },
    precisionTarget: target,
    candidates,
  };
}

interface CandidateContext<Input> {
  plan: ComparisonPlan<Input>;
  history: readonly DatedExample<Input>[];
  older: readonly DatedExample<Input>[];
  validation: readonly DatedExample<Input>[];
  test: readonly DatedExample<Input>[];
  target: number;
  historyLabels: ReadonlySet<string>;
}

async function evaluateCandidate<Input>(
  candidate: Candidate<Input>,
  context: CandidateContext<Input>,
): Promise<CandidateReport> {
  const { plan, history, older, validation, test, target } = context;
  const batchSize = plan.batchSize ?? 1000;

  // 1. The threshold, from the newest slice of the history only.
  const early = await candidate.fit(older.map((item) => item.example));
  const validationAnswers = await classifyAll(early, validation, batchSize);
  const validationCorrect = validationAnswers.map(
    (answer, i) => answer.label === validation[i]?.example.label,
  );
  const validationConfidences = validationAnswers.map((answer) => answer.confidence);
  const cut = thresholdForPrecision(
    precisionCoverageCurve(validationConfidences, validationCorrect),
    target,
    plan.minThresholdSupport ?? 20,
  );
  const validationAt = cut
    ? coverageAt(validationConfidences, validationCorrect, cut.threshold)
    : { coverage: 0, precision: 0 };

  // 2. The model that would run: learned from the whole history, asked about the test set once.
  const trainStarted = performance.now();
  const answerer = await candidate.fit(history.map((item) => item.example));
  const trainMs = performance.now() - trainStarted;
  const costBefore = answerer.cost?.() ?? 0;
  const started = performance.now();
  const answers = await classifyAll(answerer, test, batchSize);
  const totalMs = performance.now() - started;
  const cost = (answerer.cost?.() ?? 0) - costBefore;

  const truth = test.map((item) => item.example.label);
  const predicted = answers.map((answer) => answer.label);
  const correct = predicted.map((label, i) => label === truth[i]);
  const confidences = answers.map((answer) => answer.confidence);
  const labels = [...new Set([...plan.task.labels, ...truth, ...predicted])];
  const report = evaluateClassifications(truth, predicted, labels);
  const predictedCounts = countBy(predicted);
  const curve = precisionCoverageCurve(confidences, correct);
  const hindsight = thresholdForPrecision(curve, target, plan.minThresholdSupport ?? 20);
  return {
    name: candidate.name,
    description: candidate.description,
    model: answerer.model,
    error: null,
    examples: test.length,
    accuracy: report.accuracy,
    macroF1: report.macroF1,
    unseenLabels: truth.filter((label) => !context.historyLabels.has(label)).length,
    perLabel: report.perClass
      .filter((metrics) => metrics.support > 0 || (predictedCounts.get(metrics.label) ?? 0) > 0)
      .map((metrics) => ({
        ...metrics,
        name: plan.task.labelDescriptions?.[metrics.label] ?? null,
        predicted: predictedCounts.get(metrics.label) ?? 0,
      }))
      .sort((a, b) => b.support - a.support || a.label.localeCompare(b.label)),
    confusion: topConfusion(truth, predicted, plan.confusionLabels ?? 12),
    calibration: reliability(confidences, correct),
    threshold: {
      precision: target,
      value: cut?.threshold ?? null,
      validation: { examples: validation.length, ...span(validation), ...validationAt },
    },
    atThreshold: cut
      ? coverageAt(confidences, correct, cut.threshold)
      : { coverage: 0, precision: 0, count: 0 },
    curve: thinCurve(curve),
    hindsight: hindsight ? { threshold: hindsight.threshold, coverage: hindsight.coverage } : null,
    latency: { totalMs: round(totalMs), perLineMs: round(totalMs / test.length, 4) },
    cost: { total: cost, perLine: cost / test.length, currency: 'USD' },
    trainMs: round(trainMs),
  };
}

async function classifyAll<Input>(
  answerer: Answerer<Input>,
  items: readonly DatedExample<Input>[],
  batchSize: number,
): Promise<Classification<string>[]> {
  const answers: Classification<string>[] = [];
  for (let start = 0; start < items.length; start += batchSize) {
    const batch = items.slice(start, start + batchSize).map((item) => item.example.input);
    const results = await answerer.classify(batch);
    if (results.length !== batch.length) {
      throw new Error(`${answerer.model} answered ${results.length} of ${batch.length} inputs`);
    }
    answers.push(...results);
  }
  return answers;
}

/** The newest `share` of the history by date (whole days together), and the older rest. */
function latestSlice<Input>(
  history: readonly DatedExample<Input>[],
  share: number,
): { older: DatedExample<Input>[]; validation: DatedExample<Input>[] } {
  const cutDate = history[Math.floor(history.length * (1 - share))]?.date;
  const older = history.filter((item) => cutDate === undefined || item.date < cutDate);
  const validation = history.filter((item) => cutDate !== undefined && item.date >= cutDate);
  if (older.length === 0 || validation.length === 0) {
    throw new RangeError(
      `the history (${history.length} lines) is too short to learn from and still hold back its newest ${Math.round(share * 100)}% to choose a threshold`,
    );
  }
  return { older, validation };
}

/** The `count` commonest true labels one by one, the rest as `other`. */
function topConfusion(
  truth: readonly string[],
  predicted: readonly string[],
  count: number,
): { labels: string[]; matrix: number[][] } {
  const common = [...countBy(truth).entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, count)
    .map(([label]) => label);
  const hasOther = new Set([...truth, ...predicted]).size > common.length;
  const labels = hasOther ? [...common, 'other'] : common;
  const index = new Map(common.map((label, i) => [label, i]));
  const matrix = labels.map(() => labels.map(() => 0));
  truth.forEach((actual, i) => {
    const row = matrix[index.get(actual) ?? labels.length - 1];
    const column = index.get(predicted[i] ?? '') ?? labels.length - 1;
    if (row) row[column] = (row[column] ?? 0) + 1;
  });
  return { labels, matrix };
}

function failedCandidate<Input>(
  candidate: Candidate<Input>,
  error: unknown,
  target: number,
): CandidateReport {
  return {
    name: candidate.name,
    description: candidate.description,
    model: null,
    error: error instanceof Error ? error.message : String(error),
    examples: 0,
    accuracy: 0,
    macroF1: 0,
    unseenLabels: 0,
    perLabel: [],
    confusion: { labels: [], matrix: [] },
    calibration: { ece: 0, bins: [] },
    threshold: {
      precision: target,
      value: null,
      validation: { examples: 0, from: null, to: null, coverage: 0, precision: 0 },
    },
    atThreshold: { coverage: 0, precision: 0, count: 0 },
    curve: [],
    hindsight: null,
    latency: { totalMs: 0, perLineMs: 0 },
    cost: { total: 0, perLine: 0, currency: 'USD' },
    trainMs: 0,
  };
}

function span<Input>(items: readonly DatedExample<Input>[]): { from: string | null; to: string | null } {
  return { from: items[0]?.date ?? null, to: items.at(-1)?.date ?? null };
}

function countBy(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
