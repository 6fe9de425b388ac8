import type { ClassifyProvider, ClassifyTask } from '../contract.ts';
import { type TrainClassifierOptions, trainClassifier } from '../embedded/classifier.ts';
import type { EmbeddedClassifyTask } from '../embedded/embedded-task.ts';
import { modelVersion } from '../embedded/provider.ts';
import type { Candidate } from './compare.ts';

/**
 * The embedded classifier as a candidate: trained on the history it is given (exactly what the
 * embedded provider does with the ERP's history), answering with explanations worked out lazily.
 */
export function embeddedCandidate<Input>(
  task: EmbeddedClassifyTask<Input, string>,
  options: TrainClassifierOptions = {},
): Candidate<Input> {
  return {
    name: 'embedded',
    description: 'embedded model, offline',
    async fit(history) {
      const classifier = trainClassifier(task, history, options);
      return {
        model: `embedded:${modelVersion(task)}`,
        classify: async (inputs) =>
          classifier
            .predictAll(
              inputs.map((input) => task.features(input)),
              { contributions: 'lazy' },
            )
            .map((prediction) => ({
              label: prediction.label,
              confidence: prediction.confidence,
              probabilities: prediction.probabilities,
              get explanation() {
                return prediction.explanation;
              },
              model: `embedded:${modelVersion(task)}`,
            })),
        cost: () => 0,
      };
    },
  };
}

/**
 * A provider that learns nothing from the history (an LLM told the labels and instructions) as a
 * candidate; `spent` (the LLM provider's) reports what its answers cost.
 */
export function providerCandidate<Input>(
  name: string,
  description: string,
  provider: ClassifyProvider & { spent?: () => { cost: number } },
  task: ClassifyTask<Input, string>,
): Candidate<Input> {
  return {
    name,
    description,
    async fit() {
      return {
        model: `${provider.kind}:${task.name}`,
        classify: (inputs) => provider.classify(task, inputs),
        cost: () => provider.spent?.().cost ?? 0,
      };
    },
  };
}
