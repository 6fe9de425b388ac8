import type { Classification, Example } from '../contract.ts';
import type { Candidate } from '../eval/compare.ts';
import type { GlCodingInput } from './gl-coding.ts';

/** The words naive Bayes reads from a merchant descriptor: lower-case runs of letters. */
function merchantWords(merchant: string): string[] {
  return merchant.toLowerCase().match(/[a-z]+/g) ?? [];
}

/** Laplace smoothing of naive Bayes' word counts. */
const SMOOTHING = 1;

/**
 * The simple baseline GL coding is measured against (the one the data set's notes quote, about
 * 0.60 accuracy on a later period): look the exact merchant descriptor up in the history and
 * answer the account it was coded to most often — with the share of its past lines as confidence;
 * a merchant never seen falls back to multinomial naive Bayes over the descriptor's words, with
 * its posterior as confidence.
 *
 * @example
 * const baseline = trainGlCodingBaseline(history);
 * const [answer] = baseline.classify([line]); // { label: 'K020', confidence: 0.98, ... }
 */
export function trainGlCodingBaseline(history: readonly Example<GlCodingInput, string>[]): {
  classify(inputs: readonly GlCodingInput[]): Classification<string>[];
} {
  if (history.length === 0) throw new RangeError('the baseline needs at least one coded line to learn from');
  const lookup = new Map<string, Map<string, number>>();
  const labelCounts = new Map<string, number>();
  const wordCounts = new Map<string, Map<string, number>>();
  const wordTotals = new Map<string, number>();
  const vocabulary = new Set<string>();
  for (const { input, label } of history) {
    const counts = lookup.get(input.merchant) ?? new Map<string, number>();
    counts.set(label, (counts.get(label) ?? 0) + 1);
    lookup.set(input.merchant, counts);
    labelCounts.set(label, (labelCounts.get(label) ?? 0) + 1);
    const words = wordCounts.get(label) ?? new Map<string, number>();
    for (const word of merchantWords(input.merchant)) {
      words.set(word, (words.get(word) ?? 0) + 1);
      wordTotals.set(label, (wordTotals.get(label) ?? 0) + 1);
      vocabulary.add(word);
    }
    wordCounts.set(label, words);
  }
  const labels = [...labelCounts.keys()].sort();
  const logPrior = new Map(
    labels.map((label) => [label, Math.log((labelCounts.get(label) ?? 0) / history.length)]),
  );

  const naiveBayes = (merchant: string): Record<string, number> => {
    const words = merchantWords(merchant).filter((word) => vocabulary.has(word));
    const scores = labels.map((label) => {
      const counts = wordCounts.get(label);
      const denominator = (wordTotals.get(label) ?? 0) + SMOOTHING * vocabulary.size;
      let score = logPrior.get(label) ?? 0;
      for (const word of words) score += Math.log(((counts?.get(word) ?? 0) + SMOOTHING) / denominator);
      return score;
    });
    const max = Math.max(...scores);
    const exp = scores.map((score) => Math.exp(score - max));
    const sum = exp.reduce((total, value) => total + value, 0);
    return Object.fromEntries(labels.map((label, i) => [label, (exp[i] ?? 0) / sum]));
  };

  return {
    classify: (inputs) =>
      inputs.map((input) => {
        const known = lookup.get(input.merchant);
        let probabilities: Record<string, number>;
        let how: string;
        if (known) {
          const total = [...known.values()].reduce((sum, count) => sum + count, 0);
          probabilities = Object.fromEntries(labels.map((label) => [label, (known.get(label) ?? 0) / total]));
          how = `merchant '${input.merchant}' seen in ${total} past lines`;
        } else {
          probabilities = naiveBayes(input.merchant);
          how = `naive Bayes on the words of '${input.merchant}'`;
        }
        let label = labels[0] ?? '';
        for (const candidate of labels)
          if ((probabilities[candidate] ?? 0) > (probabilities[label] ?? 0)) label = candidate;
        const confidence = probabilities[label] ?? 0;
        return {
          label,
          confidence,
          probabilities,
          explanation: `${label} (${confidence.toFixed(2)}): ${how}`,
          model: 'baseline:merchant-lookup+naive-bayes',
        };
      }),
  };
}

/** Whether a value has what the baseline reads of a line (a merchant descriptor). */
export function isGlCodingInput(value: unknown): value is GlCodingInput {
  return (
    typeof value === 'object' && value !== null && 'merchant' in value && typeof value.merchant === 'string'
  );
}

/**
 * The baseline as an evaluation candidate (`erpbridge eval gl-coding --provider baseline`);
 * `toLine` turns the workflow's input into the line the baseline reads.
 */
export function glCodingBaselineCandidate<Input>(toLine: (input: Input) => GlCodingInput): Candidate<Input> {
  return {
    name: 'baseline',
    description: 'merchant lookup + naive Bayes',
    async fit(history) {
      const baseline = trainGlCodingBaseline(
        history.map((example) => ({ input: toLine(example.input), label: example.label })),
      );
      return {
        model: 'baseline:merchant-lookup+naive-bayes',
        classify: async (inputs) => baseline.classify(inputs.map(toLine)),
        cost: () => 0,
      };
    },
  };
}
