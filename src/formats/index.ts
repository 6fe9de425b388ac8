/**
 * Reading and writing the files legacy ERPs exchange — CSV, record-oriented XML, SAP IDoc XML, X12
 * and UN/EDIFACT — as streams, with errors that name the file and the line or segment. See README.md.
 */
export { type ByteInput, openBytes, peekBytes } from './byte-source.ts';
export { CSV_DELIMITERS, type CsvDialect, detectCsvDialect } from './csv/csv-dialect.ts';
export { escapeFormula, looksLikeFormula } from './csv/formula-escape.ts';
export {
  type CsvReader,
  type CsvRecord,
  DEFAULT_MAX_CSV_RECORD_LENGTH,
  openCsv,
  type ReadCsvOptions,
  readCsv,
} from './csv/read-csv.ts';
export {
  type CsvCell,
  formatCsv,
  type WriteCsvOptions,
  type WriteCsvResult,
  writeCsv,
} from './csv/write-csv.ts';
export { DETECT_BYTES, detectFormat, FORMATS, type Format } from './detect-format.ts';
export {
  componentText,
  type EdiDelimiters,
  type EdiElement,
  type EdiEvent,
  type EdiGroup,
  type EdiInterchange,
  type EdiMessage,
  type EdiSegment,
  type EnvelopeIssue,
  elementText,
  segment,
} from './edi/edi-model.ts';
export type { ControlPolicy } from './edi/envelope-reader.ts';
export { collectInterchanges, type ReadEdiOptions } from './edi/read-edi.ts';
export { DEFAULT_MAX_SEGMENT_LENGTH } from './edi/tokenizer-base.ts';
export { type BuildContrlOptions, buildContrl } from './edifact/edifact-contrl.ts';
export {
  type BuildEdifactInterchange,
  buildEdifactInterchange,
  edifactLines,
  encodeEdifact,
  type GenerateEdifactOptions,
  generateEdifact,
} from './edifact/generate-edifact.ts';
export { parseEdifact, readEdifact } from './edifact/read-edifact.ts';
export {
  describeFormatPosition,
  describeWarning,
  FormatError,
  type FormatProblem,
  type FormatWarning,
} from './format-error.ts';
export type { Idoc, IdocSegment } from './idoc/idoc-model.ts';
export { buildOrders05, type Orders05Input, orders05Schema } from './idoc/orders05.ts';
export { type ReadIdocOptions, readIdocs } from './idoc/read-idoc.ts';
export { formatIdocXml, idocXmlLines, type WriteIdocOptions } from './idoc/write-idoc.ts';
export {
  type FormatsParseResult,
  formatsParseCommand,
  type ParseDocumentOptions,
  type ParsedDocument,
  parseDocument,
} from './parse-document.ts';
export {
  type BuildX12Interchange,
  buildX12Interchange,
  type GenerateX12Options,
  generateX12,
  x12Lines,
} from './x12/generate-x12.ts';
export { parseX12, readX12 } from './x12/read-x12.ts';
export { type Build997Options, build997 } from './x12/x12-997.ts';
export {
  openXml,
  type ReadXmlOptions,
  readXmlRecords,
  type XmlReader,
  type XmlRecord,
} from './xml/read-xml.ts';
export { writeXmlRecords } from './xml/write-xml.ts';
