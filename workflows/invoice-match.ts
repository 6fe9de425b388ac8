import { z } from 'zod';
import { invoiceDocumentText } from '../src/ai/tasks/invoice-document-text.ts';
import {
  answerInvoiceMatches,
  type InvoiceMatchInput,
  invoiceMatchTask,
  labelOfDecision,
  labelWords,
} from '../src/ai/tasks/invoice-match.ts';
import { GoodsReceipt } from '../src/canonical/goods-receipt.ts';
import { Invoice, InvoiceDocument } from '../src/canonical/invoice.ts';
import type { WorkflowConfig } from '../src/config/schema.ts';
import { profileEntity, purchaseOrderEntity } from '../src/engine/entities.ts';
import { defineWorkflow, type WorkflowContext, type WorkflowDefinition } from '../src/engine/workflow.ts';
import { ConfigError } from '../src/errors/index.ts';
import { InvoiceLedger, type InvoiceMatchLabel, MatchTolerances } from '../src/matching/index.ts';
import { profiles } from '../src/profiles/index.ts';

/** Supplier invoices, as profiles map them under `entities.invoice`. */
export const invoiceEntity = profileEntity<Invoice>('invoice', Invoice, {
  amount: (invoice) => invoice.grossAmount,
  date: (invoice) => invoice.invoiceDate,
});

/** Goods receipts, under `entities.goodsReceipt`. */
export const goodsReceiptEntity = profileEntity<GoodsReceipt>('goodsReceipt', GoodsReceipt, {
  date: (receipt) => receipt.receiptDate,
});

/** Invoice documents (PDF or text), under `entities.invoiceDocument`. */
export const invoiceDocumentEntity = profileEntity<InvoiceDocument>('invoiceDocument', InvoiceDocument);

const Filter = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

/**
 * `workflows.<name>.options` of an invoice-match workflow.
 *
 * @example
 *   options:
 *     documents: pdf            # pdf | text | none
 *     tolerances: { pricePct: 2, duplicates: { dateWindowDays: 10 } }
 */
export const InvoiceMatchOptions = z.strictObject({
  /** Match tolerances; see MatchTolerances (src/matching/tolerances.ts) for each and its default. */
  tolerances: MatchTolerances.prefault({}),
  /**
   * Which documents to read and check each record against: `pdf` (text extracted with unpdf),
   * `text` (the ERP's text print), or `none` (records only). Default pdf.
   */
  documents: z.enum(['pdf', 'text', 'none']).default('pdf'),
  /** Also write `matched` back for invoices that match (release them), not only exceptions. Default true. */
  writeMatched: z.boolean().default(true),
  /** Which purchase orders to read as reference (vendor filter). Default: all. */
  orders: z.strictObject({ filter: Filter.default({}) }).prefault({}),
});
export type InvoiceMatchOptions = z.infer<typeof InvoiceMatchOptions>;

/** Parses a workflow's options; a bad one is a ConfigError naming `workflows.<name>.options.<key>`. */
export function parseWorkflowOptions<Schema extends z.ZodType>(
  schema: Schema,
  name: string,
  options: unknown,
): z.infer<Schema> {
  const parsed = schema.safeParse(options);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  const key = ['workflows', name, 'options', ...(issue?.path ?? []).map(String)].join('.');
  throw new ConfigError(`${key}: ${issue?.message ?? 'invalid'}`, { key });
}

/** What an invoice-match run reads once: the ledger, and each document's text (or why there is none). */
export class InvoiceMatchReference {
  constructor(
    readonly ledger: InvoiceLedger,
    readonly texts: ReadonlyMap<string, string>,
    readonly documentErrors: ReadonlyMap<string, string>,
    readonly documents: InvoiceMatchOptions['documents'],
  ) {}
}

function referenceOf(context: WorkflowContext): InvoiceMatchReference {
  if (context.reference instanceof InvoiceMatchReference) return context.reference;
  throw new Error('invoice-match needs its reference data (the ledger); the run did not load it');
}

/** Exception texts the ERP keeps are short: the label's words, then the reason, cut at `width`. */
export function exceptionText(label: InvoiceMatchLabel, reason: string, width = 120): string {
  const words = labelWords(label);
  const text = reason.toLowerCase().startsWith(words) ? reason : `${words}: ${reason}`;
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/**
 * invoice-match: three-way matching of supplier invoices. When a run starts it reads every invoice
 * (for duplicates and what was billed before), the purchase orders, the goods receipts and the
 * documents of the invoices to match (PDFs turned into text with unpdf). Per batch it extracts each
 * document's fields (the provider's `extract`: rules offline, or an LLM), matches invoice ↔ order ↔
 * receipt within the tolerances, checks the record against its document and finds duplicates; then
 * writes `matchStatus` (`matched` or `exception`) and the exception's reason back.
 */
export function invoiceMatchWorkflow(
  name: string,
  config: WorkflowConfig,
): WorkflowDefinition<InvoiceMatchInput, InvoiceMatchLabel, Invoice> {
  const options = parseWorkflowOptions(InvoiceMatchOptions, name, config.options);
  const toInput = (invoice: Invoice, context: WorkflowContext): InvoiceMatchInput => {
    const reference = referenceOf(context);
    return {
      invoice,
      documentText: reference.texts.get(invoice.id) ?? null,
      documentError:
        reference.documentErrors.get(invoice.id) ??
        (reference.documents !== 'none' && !reference.texts.has(invoice.id)
          ? `no ${reference.documents} document for invoice ${invoice.id}`
          : null),
    };
  };
  return defineWorkflow<InvoiceMatchInput, InvoiceMatchLabel, Invoice>({
    name,
    description:
      config.description ??
      'Match supplier invoices to orders and goods receipts; flag exceptions and duplicates',
    connector: config.connector,
    profile: profiles[config.profile],
    entity: invoiceEntity,
    source: config.source,
    history: config.history,
    task: invoiceMatchTask,
    fields: ['matchStatus', 'exceptionReason'],
    async reference(read): Promise<InvoiceMatchReference> {
      const documentFilter = { ...config.source.filter, format: options.documents };
      const [invoices, orders, receipts, documents] = await Promise.all([
        read.records(invoiceEntity),
        read.records(purchaseOrderEntity, options.orders.filter),
        read.records(goodsReceiptEntity),
        options.documents === 'none'
          ? Promise.resolve([])
          : read.records(invoiceDocumentEntity, documentFilter),
      ]);
      const texts = new Map<string, string>();
      const documentErrors = new Map<string, string>();
      for (const document of documents) {
        try {
          texts.set(document.id, await invoiceDocumentText(document));
        } catch (error) {
          // One unreadable PDF is that invoice's finding (document_mismatch, for review), not the run's end.
          documentErrors.set(document.id, error instanceof Error ? error.message : String(error));
        }
      }
      return new InvoiceMatchReference(
        new InvoiceLedger({ invoices, orders, receipts }, options.tolerances),
        texts,
        documentErrors,
        options.documents,
      );
    },
    answer: (inputs, { provider, context }) =>
      answerInvoiceMatches(inputs, provider, referenceOf(context).ledger, options.tolerances),
    toInput,
    toExample(invoice, context) {
      const label = labelOfDecision(invoice);
      return label === null ? null : { input: toInput(invoice, context), label };
    },
    decide(invoice, result) {
      if (result.label === 'matched') {
        if (!options.writeMatched) return null;
        return { after: { matchStatus: 'matched', exceptionReason: null }, reason: result.explanation };
      }
      return {
        after: { matchStatus: 'exception', exceptionReason: exceptionText(result.label, result.explanation) },
        reason: `${labelWords(result.label)} (was ${invoice.matchStatus ?? 'not matched'})`,
      };
    },
    policy: config.policy,
    batchSize: config.batchSize,
    applyConcurrency: config.applyConcurrency,
  });
}
