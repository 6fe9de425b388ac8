/**
 * What three-way matching can conclude about an invoice, most serious first: the order of
 * {@link INVOICE_MATCH_LABELS} is the order in which a finding wins when several apply.
 */
export const INVOICE_MATCH_LABELS = [
  'duplicate',
  'document_mismatch',
  'no_order',
  'missing_receipt',
  'quantity_variance',
  'price_variance',
  'tax_error',
  'matched',
] as const;
export type InvoiceMatchLabel = (typeof INVOICE_MATCH_LABELS)[number];
export type ExceptionLabel = Exclude<InvoiceMatchLabel, 'matched'>;

/** One thing wrong with an invoice, with how sure the check is and the reason in words. */
export interface MatchFinding {
  label: ExceptionLabel;
  /** 0..1. */
  confidence: number;
  reason: string;
}

/** `1234.5` → `1,234.50`: amounts in reasons people read. */
export function formatMoney(value: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** A price with the decimals it has (2 to 4). */
export function formatPrice(value: number): string {
  const rounded = Math.round(value * 10_000) / 10_000;
  return Number.isInteger(rounded * 100)
    ? formatMoney(rounded)
    : rounded.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 });
}

/** A quantity without trailing zeros: `120`, `75.5`. */
export function formatQuantity(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

/** How sure a check is of a breach `excess` times its tolerance (1 = just over): 0.8 … 0.99. */
export function breachConfidence(excess: number): number {
  return Math.min(0.99, 0.8 + 0.19 * Math.min(1, Math.max(0, excess - 1) / 4));
}
