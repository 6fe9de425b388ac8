import type { Invoice } from '../../canonical/invoice.ts';
import {
  type DocumentReading,
  INVOICE_MATCH_LABELS,
  InvoiceDocumentFields,
  type InvoiceLedger,
  type InvoiceMatchLabel,
  type InvoiceVerdict,
  type MatchTolerances,
  matchInvoice,
} from '../../matching/index.ts';
import type {
  AiProvider,
  Classification,
  ClassifyProvider,
  ClassifyTask,
  Extraction,
  ExtractTask,
} from '../contract.ts';
import { extractInvoiceFields, type InvoiceDocumentInput, invoiceExtractTask } from './invoice-extract.ts';

/** One invoice to match: the record as the ERP holds it and its document's text, when there is one. */
export interface InvoiceMatchInput {
  invoice: Invoice;
  /** The document's text (a PDF's text extracted when the run started); null without a document. */
  documentText: string | null;
  /** Why the document could not be turned into text, when it could not. */
  documentError: string | null;
}

/** The rules' version: part of every answer's `model`, bumped when the rules change meaning. */
export const INVOICE_MATCH_RULES_VERSION = 1;

const LABEL_WORDS: Readonly<Record<InvoiceMatchLabel, string>> = {
  matched: 'matched',
  duplicate: 'duplicate',
  document_mismatch: 'document mismatch',
  no_order: 'no order',
  missing_receipt: 'missing receipt',
  quantity_variance: 'quantity variance',
  price_variance: 'price variance',
  tax_error: 'tax error',
};

/** `price_variance` → `price variance`: how labels read in reasons and exception texts. */
export function labelWords(label: InvoiceMatchLabel): string {
  return LABEL_WORDS[label];
}

/**
 * The label a person's earlier decision on an invoice stands for: `matched` for a released one; for
 * a blocked one, the label its reason starts with (`price variance: …`, `duplicate of invoice …`).
 * Null when the reason names none (the invoice then teaches nothing).
 */
export function labelOfDecision(invoice: Invoice): InvoiceMatchLabel | null {
  if (invoice.matchStatus === 'matched') return 'matched';
  if (invoice.matchStatus !== 'exception' || invoice.exceptionReason === null) return null;
  const reason = invoice.exceptionReason.toLowerCase();
  for (const label of INVOICE_MATCH_LABELS) {
    if (label !== 'matched' && reason.startsWith(LABEL_WORDS[label])) return label;
  }
  return null;
}

/**
 * The invoice-match task, as the engine and evaluation see it: its labels, and features an
 * embedded classifier can learn people's past decisions from (the invoice's own arithmetic; the
 * matching itself is rules, in {@link answerInvoiceMatches}). An LLM is shown the invoice's header
 * and lines, never the supplier's document text (extraction is a task of its own).
 */
export const invoiceMatchTask: ClassifyTask<InvoiceMatchInput, InvoiceMatchLabel> = {
  name: 'invoice-match',
  labels: INVOICE_MATCH_LABELS,
  reviewLabel: 'document_mismatch',
  featureVersion: 1,
  features(input) {
    const { invoice } = input;
    const lineSum = invoice.lines.reduce((sum, line) => sum + line.amount, 0);
    const expectedTax = (invoice.netAmount * invoice.taxRate) / 100;
    return {
      numeric: {
        taxGap: Math.abs(invoice.taxAmount - expectedTax),
        grossGap: Math.abs(invoice.netAmount + invoice.taxAmount - invoice.grossAmount),
        lineSumGap: Math.abs(lineSum - invoice.netAmount),
        logGross: Math.log1p(Math.abs(invoice.grossAmount)),
        lines: invoice.lines.length,
        hasDocument: input.documentText === null ? 0 : 1,
      },
      text: invoice.invoiceNumber,
    };
  },
  featureNames: {
    taxGap: 'VAT off by',
    grossGap: 'gross off by',
    lineSumGap: 'lines off the net by',
    logGross: 'gross amount (log)',
    lines: 'lines',
    hasDocument: 'has a document',
  },
  instructions: [
    'Match a supplier invoice against its purchase order and goods receipts.',
    'matched: prices, quantities and VAT agree within tolerance. price_variance: a unit price differs',
    'from the order. quantity_variance: more billed than received. missing_receipt: nothing received.',
    'tax_error: VAT is not the stated rate of the net amount. duplicate: the same invoice entered before.',
    'document_mismatch: the record differs from the document. no_order: the order does not exist.',
  ].join('\n'),
  describe: ({ invoice }) => ({
    invoiceNumber: invoice.invoiceNumber,
    invoiceDate: invoice.invoiceDate,
    purchaseOrderId: invoice.purchaseOrderId,
    currency: invoice.currency,
    netAmount: invoice.netAmount,
    taxRate: invoice.taxRate,
    taxAmount: invoice.taxAmount,
    grossAmount: invoice.grossAmount,
    lines: invoice.lines.map(({ itemId, quantity, unitPrice, amount }) => ({
      itemId,
      quantity,
      unitPrice,
      amount,
    })),
  }),
};

/** The provider as the one contract (classify, extract, detect), when it is one. */
export function asAiProvider(provider: ClassifyProvider): AiProvider | null {
  if (!('extract' in provider) || !('detect' in provider) || !('supports' in provider)) return null;
  // The three members are there; the contract's shapes are the provider's own promise.
  return provider as AiProvider;
}

/** Runs the rules of an extract task in this process, validated like the embedded provider does. */
function extractByRules(inputs: readonly InvoiceDocumentInput[]): Extraction<InvoiceDocumentFields>[] {
  return inputs.map((input) => {
    const found = extractInvoiceFields(input.text);
    const parsed = InvoiceDocumentFields.safeParse(found.fields);
    const base = {
      confidence: found.confidence ?? 1,
      explanation: found.explanation ?? '',
      model: `rules:${invoiceExtractTask.name}`,
    };
    if (parsed.success) return { ...base, fields: parsed.data };
    const issue = parsed.error.issues[0];
    return {
      ...base,
      fields: null,
      review: { reason: `field ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}` },
      draft: found.fields,
    };
  });
}

/**
 * Extracts the fields of every invoice's document through the provider's `extract` (the embedded
 * provider runs {@link extractInvoiceFields}; an LLM reads the text), or by the same rules in
 * process when the provider answers no extract tasks.
 */
export async function extractDocuments(
  provider: ClassifyProvider,
  inputs: readonly InvoiceDocumentInput[],
  task: ExtractTask<InvoiceDocumentInput, typeof InvoiceDocumentFields> = invoiceExtractTask,
): Promise<Extraction<InvoiceDocumentFields>[]> {
  if (inputs.length === 0) return [];
  const ai = asAiProvider(provider);
  if (ai?.supports.includes('extract')) return ai.extract(task, inputs);
  return extractByRules(inputs);
}

function readingOf(
  input: InvoiceMatchInput,
  extraction: Extraction<InvoiceDocumentFields> | undefined,
): DocumentReading | null {
  if (input.documentError !== null) return { fields: null, confidence: 0, note: input.documentError };
  if (input.documentText === null) return null;
  if (!extraction) return { fields: null, confidence: 0, note: 'no extraction was returned' };
  return {
    fields: extraction.fields,
    confidence: extraction.confidence,
    note: extraction.review?.reason ?? (extraction.fields === null ? extraction.explanation : null),
  };
}

function toClassification(
  verdict: InvoiceVerdict,
  model: string,
  extraction?: Extraction<unknown>,
): Classification<InvoiceMatchLabel> {
  const rest = (1 - verdict.confidence) / (INVOICE_MATCH_LABELS.length - 1);
  const p = (label: InvoiceMatchLabel) => (label === verdict.label ? verdict.confidence : rest);
  const probabilities: Record<InvoiceMatchLabel, number> = {
    duplicate: p('duplicate'),
    document_mismatch: p('document_mismatch'),
    no_order: p('no_order'),
    missing_receipt: p('missing_receipt'),
    quantity_variance: p('quantity_variance'),
    price_variance: p('price_variance'),
    tax_error: p('tax_error'),
    matched: p('matched'),
  };
  const classification: Classification<InvoiceMatchLabel> = {
    label: verdict.label,
    confidence: verdict.confidence,
    probabilities,
    explanation: verdict.reason,
    model,
  };
  if (extraction?.review) classification.review = { reason: `document: ${extraction.review.reason}` };
  return classification;
}

/**
 * Answers a batch of invoices: reads each document's fields (see {@link extractDocuments}), then
 * matches each invoice against the ledger (duplicates, document, order and receipts, arithmetic).
 * One classification per input, in input order; the explanation is the verdict's reason.
 */
export async function answerInvoiceMatches(
  inputs: readonly InvoiceMatchInput[],
  provider: ClassifyProvider,
  ledger: InvoiceLedger,
  tolerances: MatchTolerances,
): Promise<Classification<InvoiceMatchLabel>[]> {
  const withText = inputs.flatMap((input) =>
    input.documentText === null || input.documentError !== null
      ? []
      : [{ invoiceId: input.invoice.id, text: input.documentText }],
  );
  const extractions = await extractDocuments(provider, withText);
  const byInvoice = new Map(withText.map((input, index) => [input.invoiceId, extractions[index]]));
  return inputs.map((input) => {
    const extraction = byInvoice.get(input.invoice.id);
    const verdict = matchInvoice(input.invoice, readingOf(input, extraction), ledger, tolerances);
    const model = `rules:${invoiceMatchTask.name}@${INVOICE_MATCH_RULES_VERSION}${extraction ? ` + ${extraction.model}` : ''}`;
    return toClassification(verdict, model, extraction);
  });
}
