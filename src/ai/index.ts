/**
 * The AI subsystem's public face. Other helpers add their own exports here (the LLM provider lives
 * in `providers/`); this block lists the embedded provider, the tasks and the evaluation metrics.
 */

// Task kinds and the one provider contract (classify, extract, detect); the conformance suite is
// `provider-conformance.ts` (imports vitest, so it is not exported here).
export {
  AI_PROVIDER_KINDS,
  AI_TASK_KINDS,
  type AiCallOptions,
  type AiProvider,
  type AiProviderKind,
  type AiTaskKind,
  type Classification,
  type ClassifyProvider,
  type ClassifyTask,
  type Detection,
  type DetectorVerdict,
  type DetectTask,
  type Example,
  type Extraction,
  type ExtractTask,
  type Features,
  promptVersionOf,
  type ReviewFlag,
  type RuleExtraction,
  reviewLabelOf,
  type TaskPrompt,
  unsupportedTask,
} from './contract.ts';

// Embedded (offline) provider and classifier.
export {
  type ClassifierMetrics,
  MIN_TRAINING_EXAMPLES,
  type Prediction,
  type TrainClassifierOptions,
  TrainedClassifier,
  trainClassifier,
} from './embedded/classifier.ts';
// Embedded anomaly detection: robust price statistics, the detector of price-anomaly detect tasks.
export {
  detectPriceAnomalies,
  judgeOrder,
  type LineJudgement,
  type PricedOrder,
} from './embedded/detect/price-anomaly-detector.ts';
export {
  PriceBaseline,
  PriceBaselineOptions,
  type PriceJudgement,
  type PriceObservation,
  type PriceReference,
} from './embedded/detect/price-baseline.ts';
export { median, medianAbsoluteDeviation, robustSummary } from './embedded/detect/robust-statistics.ts';
// Embedded classifier: task hints, explanations, encoding, the provider.
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
// GL coding: the task, its baseline, and evaluation of providers side by side (precision at
// coverage, calibration, reports).
export { SparseSpec, type SparseSpecInput } from './embedded/sparse-spec.ts';
export { embeddedCandidate, providerCandidate } from './eval/candidates.ts';
export {
  type Answerer,
  type Candidate,
  type CandidateReport,
  type ComparisonPlan,
  type ComparisonReport,
  compareCandidates,
  type DatedExample,
} from './eval/compare.ts';
export { type LabeledFile, type LabeledRow, readLabeledFile } from './eval/labeled-file.ts';
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
export {
  type CoveragePoint,
  coverageAt,
  precisionCoverageCurve,
  thresholdForPrecision,
} from './eval/precision-coverage.ts';
export { type ReliabilityBin, reliability } from './eval/reliability.ts';
export { renderHtmlReport } from './eval/report-html.ts';
export { comparisonTable, renderMarkdownReport } from './eval/report-markdown.ts';
// Guardrails: allowlist, redaction, master data, budget, cache, exchange audit.
export * from './guardrails/index.ts';
// The LLM provider.
export * from './providers/index.ts';
export {
  amountBand,
  type GlAccount,
  type GlCodingInput,
  glCodingExamples,
  glCodingFeatures,
  glCodingTask,
  type NormalisedMerchant,
  normaliseMerchant,
} from './tasks/gl-coding.ts';
export {
  glCodingBaselineCandidate,
  isGlCodingInput,
  trainGlCodingBaseline,
} from './tasks/gl-coding-baseline.ts';
// Tasks.
export { invoiceDocumentText } from './tasks/invoice-document-text.ts';
export {
  extractInvoiceFields,
  type InvoiceDocumentInput,
  invoiceExtractTask,
  parseDocumentDate,
  parseDocumentNumber,
} from './tasks/invoice-extract.ts';
export {
  answerInvoiceMatches,
  extractDocuments,
  type InvoiceMatchInput,
  invoiceMatchTask,
  labelOfDecision,
  labelWords,
} from './tasks/invoice-match.ts';
export {
  examplesFromHistory,
  poUrgencyTask,
  UNKNOWN_SUPPLIER,
  URGENT_NOTE_PHRASES,
  type UrgencyInput,
  urgencyFeatures,
} from './tasks/po-urgency.ts';
export {
  answerPriceAnomalies,
  classifyDetection,
  PRICE_ANOMALY_LABELS,
  type PriceAnomalyInput,
  type PriceAnomalyLabel,
  priceAnomalyClassifyTask,
  priceAnomalyDetectTask,
  priceAnomalyInput,
} from './tasks/price-anomaly.ts';
