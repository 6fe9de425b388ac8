/**
 * The AI subsystem's public face. Other helpers add their own exports here (the LLM provider lives
 * in `providers/`); this block lists the embedded provider, the tasks and the evaluation metrics.
 */

// Embedded (offline) provider and classifier.
export {
  type ClassifierMetrics,
  MIN_TRAINING_EXAMPLES,
  type Prediction,
  type TrainClassifierOptions,
  TrainedClassifier,
  trainClassifier,
} from './embedded/classifier.ts';
export {
  type EmbeddedClassifyTask,
  EmbeddedTaskHints,
  VALUE_FORMATS,
  type ValueFormat,
} from './embedded/embedded-task.ts';
export type { Contribution } from './embedded/explanation.ts';
export { EncodingSpec, type EncodingSpecInput } from './embedded/feature-encoder.ts';
export {
  createEmbeddedProvider,
  type EmbeddedProvider,
  type EmbeddedProviderOptions,
  type ExampleSource,
  type ModelReady,
  type ModelStore,
  modelVersion,
} from './embedded/provider.ts';

// Evaluation.
export {
  accuracy,
  type ClassificationReport,
  type ClassMetrics,
  type ConfusionMatrix,
  classMetrics,
  confusionMatrix,
  evaluateClassifications,
  expectedCalibrationError,
  formatConfusionMatrix,
  macroF1,
} from './eval/metrics.ts';

// Tasks.
export {
  examplesFromHistory,
  poUrgencyTask,
  UNKNOWN_SUPPLIER,
  URGENT_NOTE_PHRASES,
  type UrgencyInput,
  urgencyFeatures,
} from './tasks/po-urgency.ts';
