import type { Invoice } from '../canonical/invoice.ts';
import { compareWithDocument } from './document-check.ts';
import type { InvoiceDocumentFields } from './document-fields.ts';
import { formatMoney, INVOICE_MATCH_LABELS, type InvoiceMatchLabel, type MatchFinding } from './findings.ts';
import type { DuplicateFinding, InvoiceLedger } from './invoice-ledger.ts';
import { checkAgainstOrder, checkArithmetic } from './three-way-match.ts';
import type { MatchTolerances } from './tolerances.ts';

/** What was read from the invoice's document, if there was one. */
export interface DocumentReading {
  /** Null when nothing usable could be read. */
  fields: InvoiceDocumentFields | null;
  /** How sure the reader is, 0..1. */
  confidence: number;
  /** Why the fields are null, or what the reader could not find. */
  note: string | null;
}

/** The conclusion about one invoice: its label, how sure, the reason in words, every finding. */
export interface InvoiceVerdict {
  label: InvoiceMatchLabel;
  confidence: number;
  reason: string;
  findings: MatchFinding[];
}

function describeDuplicate(finding: DuplicateFinding, invoice: Invoice): string {
  const { of } = finding;
  const how =
    finding.relation.kind === 'identical'
      ? 'the same number'
      : finding.relation.kind === 'same-number'
        ? `the same number ${finding.relation.how}`
        : finding.relation.kind === 'extended'
          ? `its number with "${finding.relation.suffix}" added`
          : finding.relation.kind === 'one-character'
            ? 'its number with one character changed, for goods already billed'
            : 'another number for the same goods, already billed';
  const dates =
    finding.dayGap === 0
      ? 'same date'
      : `dated ${finding.dayGap} day${finding.dayGap === 1 ? '' : 's'} apart`;
  const amount =
    Math.abs(invoice.grossAmount - of.grossAmount) < 0.005
      ? 'same amount'
      : `amount ${formatMoney(invoice.grossAmount)} vs ${formatMoney(of.grossAmount)}`;
  return `duplicate of invoice ${of.id} (${of.invoiceNumber.trim()} of ${of.invoiceDate}, ${formatMoney(of.grossAmount)} ${of.currency}): ${how}, ${dates}, ${amount}`;
}

const RANK = new Map<InvoiceMatchLabel, number>(INVOICE_MATCH_LABELS.map((label, index) => [label, index]));

/**
 * Matches one invoice: duplicates first (a copy is never paid, whatever else holds), then the
 * record against its document, then invoice ↔ order ↔ goods receipt, then the invoice's own
 * arithmetic. The most serious finding gives the label and leads the reason; the others follow it.
 * Without findings the invoice is `matched`, less surely the nearer a check came to its tolerance
 * and when no document was read.
 */
export function matchInvoice(
  invoice: Invoice,
  reading: DocumentReading | null,
  ledger: InvoiceLedger,
  tolerances: MatchTolerances,
): InvoiceVerdict {
  const findings: MatchFinding[] = [];
  const duplicate = ledger.duplicateOf(invoice);
  if (duplicate) {
    findings.push({
      label: 'duplicate',
      confidence: duplicate.confidence,
      reason: describeDuplicate(duplicate, invoice),
    });
  }
  if (reading !== null) {
    if (reading.fields === null) {
      findings.push({
        label: 'document_mismatch',
        confidence: 0.6,
        reason: `the document could not be read${reading.note ? `: ${reading.note}` : ''}`,
      });
    } else {
      findings.push(...compareWithDocument(invoice, reading.fields, tolerances));
    }
  }
  const order = checkAgainstOrder(invoice, ledger, tolerances);
  const arithmetic = checkArithmetic(invoice, tolerances);
  findings.push(...order.findings, ...arithmetic.findings);
  findings.sort((a, b) => (RANK.get(a.label) ?? 0) - (RANK.get(b.label) ?? 0) || b.confidence - a.confidence);
  const [top, ...others] = findings;
  if (!top) {
    const closeness = Math.max(order.closeness, arithmetic.closeness);
    const documentFactor = reading === null ? 0.9 : Math.max(0.5, reading.confidence);
    return {
      label: 'matched',
      confidence: Math.round((0.97 - 0.15 * closeness ** 2) * documentFactor * 1000) / 1000,
      reason: `matches order ${invoice.purchaseOrderId ?? '?'} and its goods receipts within tolerance${reading === null ? ' (no document read)' : ''}`,
      findings,
    };
  }
  const more = [...new Set(others.map((finding) => finding.label).filter((label) => label !== top.label))];
  return {
    label: top.label,
    confidence: top.confidence,
    reason: more.length > 0 ? `${top.reason}; also ${more.join(', ').replaceAll('_', ' ')}` : top.reason,
    findings,
  };
}
