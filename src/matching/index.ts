/**
 * Invoice three-way matching: invoice ↔ purchase order ↔ goods receipt within tolerances, the
 * record against its document, and duplicates. Pure functions over canonical records; the
 * invoice-match workflow reads the records and writes the verdicts back.
 */
export { compareWithDocument } from './document-check.ts';
export { DocumentLine, InvoiceDocumentFields } from './document-fields.ts';
export {
  type ExceptionLabel,
  formatMoney,
  INVOICE_MATCH_LABELS,
  type InvoiceMatchLabel,
  type MatchFinding,
} from './findings.ts';
export { type DuplicateFinding, InvoiceLedger, type LineQuantities, orderLineOf } from './invoice-ledger.ts';
export { compactKey, type NumberRelation, relateNumbers, unpaddedKey } from './invoice-number.ts';
export { type DocumentReading, type InvoiceVerdict, matchInvoice } from './invoice-verdict.ts';
export { type CheckResult, checkAgainstOrder, checkArithmetic } from './three-way-match.ts';
export { DEFAULT_TOLERANCES, MatchTolerances, type MatchTolerancesInput } from './tolerances.ts';
