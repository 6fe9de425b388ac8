/**
 * Two measurements beside the acceptance's time split, to say how far GL coding could go on this
 * data at all. Neither is a valid evaluation of a threshold (both pick their cut in hindsight);
 * they bound what any threshold could reach.
 *
 * - **monthly retraining**: each test month answered by a model learned from every line coded
 *   before that month, as a workflow that learns from the ERP's history at every run would be;
 * - **no-drift ceiling**: the test period cut into folds at random, each fold answered by a model
 *   learned from the history and the other folds, so the model has seen how lines of that very
 *   period were coded. What is still wrong there is disagreement in the labels themselves, not
 *   drift.
 */
import type { Classification, Example } from '../src/ai/contract.ts';
import { seededRandom } from '../src/ai/embedded/seeded-random.ts';
import type { Candidate, DatedExample } from '../src/ai/eval/compare.ts';
import { precisionCoverageCurve, thresholdForPrecision } from '../src/ai/eval/precision-coverage.ts';

/** What a protocol reached on the test lines. */
export interface Reach {
  protocol: string;
  examples: number;
  accuracy: number;
  /** The largest share answered at or above one cut with the target precision, chosen in hindsight. */
  hindsightCoverage: number;
  /** Precision of the most confident half of the answers. */
  precisionAtHalf: number;
  trainings: number;
}

/** Each test month answered by a model learned from everything dated before it. */
export async function monthlyRetraining<Input>(
  candidate: Candidate<Input>,
  history: readonly DatedExample<Input>[],
  test: readonly DatedExample<Input>[],
  precision: number,
  labels: ReadonlySet<string>,
): Promise<Reach> {
  const months = [...new Set(test.map((item) => item.date.slice(0, 7)))].sort();
  const answered: Answered[] = [];
  for (const month of months) {
    const learned = [...history, ...test.filter((item) => item.date.slice(0, 7) < month)].sort(byDate);
    const asked = test.filter((item) => item.date.slice(0, 7) === month);
    answered.push(...(await answer(candidate, labels, learned, asked)));
  }
  return reach('monthly retraining', answered, precision, months.length);
}

/** The test period in `folds` random folds, each answered by a model that learned the others. */
export async function noDriftCeiling<Input>(
  candidate: Candidate<Input>,
  history: readonly DatedExample<Input>[],
  test: readonly DatedExample<Input>[],
  precision: number,
  labels: ReadonlySet<string>,
  folds = 5,
): Promise<Reach> {
  const random = seededRandom(7);
  const foldOf = test.map(() => Math.floor(random() * folds));
  const answered: Answered[] = [];
  for (let fold = 0; fold < folds; fold++) {
    const learned = [...history, ...test.filter((_, i) => foldOf[i] !== fold)].sort(byDate);
    const asked = test.filter((_, i) => foldOf[i] === fold);
    answered.push(...(await answer(candidate, labels, learned, asked)));
  }
  return reach(`no-drift ceiling (${folds} random folds of the test period)`, answered, precision, folds);
}

interface Answered {
  correct: boolean;
  confidence: number;
}

async function answer<Input>(
  candidate: Candidate<Input>,
  labels: ReadonlySet<string>,
  learned: readonly DatedExample<Input>[],
  asked: readonly DatedExample<Input>[],
): Promise<Answered[]> {
  // A label the task does not know (a code first used in the test period) cannot be learned: as in
  // the time split, its lines stay errors.
  const known = learned.flatMap((item): Example<Input, string>[] =>
    labels.has(item.example.label) ? [item.example] : [],
  );
  const answerer = await candidate.fit(known);
  const answers: Classification<string>[] = await answerer.classify(asked.map((item) => item.example.input));
  return answers.map((result, i) => ({
    correct: result.label === asked[i]?.example.label,
    confidence: result.confidence,
  }));
}

function reach(protocol: string, answered: readonly Answered[], precision: number, trainings: number): Reach {
  const correct = answered.map((item) => item.correct);
  const curve = precisionCoverageCurve(
    answered.map((item) => item.confidence),
    correct,
  );
  const half = curve.find((point) => point.coverage >= 0.5);
  return {
    protocol,
    examples: answered.length,
    accuracy: correct.filter(Boolean).length / Math.max(1, answered.length),
    hindsightCoverage: thresholdForPrecision(curve, precision, 20)?.coverage ?? 0,
    precisionAtHalf: half?.precision ?? 0,
    trainings,
  };
}

function byDate<Input>(a: DatedExample<Input>, b: DatedExample<Input>): number {
  return a.date.localeCompare(b.date);
}
