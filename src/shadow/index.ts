export { READ_STRATEGIES, type ReadStrategy, readCurrentValues } from './current-values.ts';
export { type CurrentRecord, type Judgement, judge, type Outcome, type ShadowDecision } from './judgement.ts';
export {
  csvTable,
  decodeCell,
  type ExportedRow,
  encodeCell,
  exportedRows,
  formatJsonl,
  formatOfPath,
  hasExportMeta,
  LABEL_FORMATS,
  type LabeledDataOptions,
  type LabeledFileRows,
  type LabeledRow,
  type LabelFormat,
  labeledObject,
  writeLabeledData,
} from './labeled-data.ts';
export {
  type CollectedLabels,
  collectEditedLabels,
  collectShadowLabels,
  LABEL_SOURCES,
  type LabelSource,
} from './labels-export.ts';
export { DEFAULT_PROMOTION_RULE, evaluatePromotion, type PromotionVerdict } from './promotion.ts';
export { renderShadowReport } from './render-shadow-report.ts';
export {
  judgeShadowDecisions,
  SHADOW_REPORT_FORMAT,
  type ShadowReport,
  type ShadowReportDependencies,
  type ShadowReportOptions,
  shadowReport,
  sinceInstant,
} from './shadow-report.ts';
export { type AgreementCounts, type AgreementTally, tallyAgreement, wilsonInterval } from './tally.ts';
