import { compactFromDay, dayFromIso, isoFromDay, timestampOf } from '../calendar.ts';
import { blankPad, formatDecimalComma, parseDecimalComma, zeroPad } from '../legacy-format.ts';
import { createPrng, deriveSeed, type Prng } from '../prng.ts';
import type { PurchaseOrderHeader, PurchaseOrderLineRecord, SupplierRecord } from '../records.ts';
import { drawNumbering, duplicateNumber, type InvoiceNumbering } from './invoice-numbers.ts';
import {
  type DocumentLayout,
  type GoodsReceiptRecord,
  INVOICE_FIELD_WIDTHS,
  type InvoiceDocumentContent,
  type InvoiceHeader,
  type InvoiceLineRecord,
  type InvoiceTruth,
  type InvoiceTruthLabel,
  MATCH_STATUS_CODES,
} from './records.ts';
import { vatBasisPoints } from './tax-rates.ts';

/** A closed order the generator invoices: its header and lines as the sandbox stores them. */
export interface SourceOrder {
  header: PurchaseOrderHeader;
  lines: PurchaseOrderLineRecord[];
}

/** One generated invoice: the record as keyed, the document as sent, and the hidden truth. */
export interface GeneratedInvoice {
  header: InvoiceHeader;
  lines: InvoiceLineRecord[];
  document: InvoiceDocumentContent;
  truth: InvoiceTruth;
}

export interface GeneratedInvoiceData {
  /** In invoice-id order (the order accounts payable keyed them in). */
  invoices: GeneratedInvoice[];
  /** In receipt-id order. */
  receipts: GoodsReceiptRecord[];
}

/** The first invoice document number and the first goods-receipt number. */
export const FIRST_INVOICE_ID = 5_105_600_001;
export const FIRST_RECEIPT_ID = 5_000_000_001;

/**
 * What the generator plants and how often. Shares are per invoiced order (duplicates: per base
 * invoice). Tuned for a few hundred exceptions in a test-sized sandbox; see sandbox/invoices/README.md.
 */
export const INVOICE_TUNING = {
  /** Invoiced orders: the latest closed orders, this share of the history, at most `maxOrders`. */
  historyShare: 0.2,
  maxOrders: 1500,
  /** Orders delivered in two parts, each part invoiced on its own (clean: a duplicate look-alike). */
  splitShare: 0.08,
  /** Orders delivered short and invoiced for what arrived (clean). */
  shortDeliveryShare: 0.06,
  exceptionShares: {
    price_variance: 0.055,
    quantity_variance: 0.045,
    missing_receipt: 0.035,
    tax_error: 0.035,
    document_mismatch: 0.025,
  },
  duplicateShare: 0.05,
  /** The earliest keyed invoices were matched already, by people, before erpbridge came. */
  processedShare: 0.2,
  /** A price variance raises one line's price by this factor. */
  priceRaise: [1.03, 1.25],
  /** Clean invoices: a line price off by at most this share (4-decimal pricing), the tax by 1 cent. */
  cleanPriceNoise: 0.003,
  cleanPriceNoiseShare: 0.2,
  cleanTaxNoiseShare: 0.1,
} as const;

const PLANTED_EXCEPTIONS = [
  'price_variance',
  'quantity_variance',
  'missing_receipt',
  'tax_error',
  'document_mismatch',
] as const satisfies readonly (keyof typeof INVOICE_TUNING.exceptionShares)[];
type PlantedKind = (typeof PLANTED_EXCEPTIONS)[number] | 'split' | 'short' | 'clean';

interface DraftLine {
  poLine: string;
  itemNo: string;
  description: string;
  uom: string;
  quantityMilli: number;
  unitPriceMicro: number;
}

type KeyingError =
  | { kind: 'gross'; grossCents: number }
  | { kind: 'date'; day: number }
  | { kind: 'quantity'; line: number; quantityMilli: number };

interface Draft {
  order: SourceOrder;
  supplier: SupplierRecord;
  /** 0 for the only or first part, 1 for the second part of a split delivery. */
  part: number;
  invoiceDay: number;
  entryDay: number;
  lines: DraftLine[];
  /** The supplier's document layout; set with the numbers. */
  layout: DocumentLayout;
  label: InvoiceTruthLabel;
  detail: string;
  /** Set when numbers are assigned. */
  number: string;
  document: InvoiceDocumentContent | null;
  keying: KeyingError | null;
  copyOf: Draft | null;
  /** Set when ids are assigned. */
  id: string;
}

interface DraftReceipt {
  poNumber: string;
  day: number;
  lines: { poLine: string; itemNo: string; uom: string; quantityMilli: number }[];
}

/** How many closed orders get invoices for a history of this size. */
export function invoicedOrderCount(history: number): number {
  return Math.min(INVOICE_TUNING.maxOrders, Math.floor(history * INVOICE_TUNING.historyShare));
}

function draw(prng: Prng, [low, high]: readonly [number, number]): number {
  return low + (high - low) * prng.next();
}

function pickKind(prng: Prng): PlantedKind {
  let roll = prng.next();
  roll -= INVOICE_TUNING.splitShare;
  if (roll < 0) return 'split';
  roll -= INVOICE_TUNING.shortDeliveryShare;
  if (roll < 0) return 'short';
  for (const kind of PLANTED_EXCEPTIONS) {
    roll -= INVOICE_TUNING.exceptionShares[kind];
    if (roll < 0) return kind;
  }
  return 'clean';
}

/** KG and M are delivered in halves, pieces whole. */
function stepOf(uom: string): number {
  const unit = uom.trim();
  return unit === 'KG' || unit === 'M' ? 500 : 1000;
}

/** `quantityMilli × share`, in whole steps, at least one step and at most one step less than all. */
function partOf(quantityMilli: number, share: number, step: number): number {
  const steps = Math.round(quantityMilli / step);
  if (steps < 2) return quantityMilli;
  return Math.min(steps - 1, Math.max(1, Math.round(steps * share))) * step;
}

function linesOf(order: SourceOrder): DraftLine[] {
  return order.lines.map((line) => ({
    poLine: line.line_no,
    itemNo: line.item_no,
    description: line.description,
    uom: line.uom,
    quantityMilli: parseDecimalComma(line.quantity, 3),
    unitPriceMicro: Math.round(line.unit_price * 100) * 100,
  }));
}

function amountCents(line: { quantityMilli: number; unitPriceMicro: number }): number {
  // quantity (milli) × price (1/10000) = 1e-7 currency units = 1e-5 cents.
  return Math.round((line.quantityMilli * line.unitPriceMicro) / 100_000);
}

function layoutOf(country: string, prng: Prng): DocumentLayout {
  const german = ['DE', 'AT', 'CH'].includes(country);
  if (german) return prng.chance(0.8) ? 'de' : 'plain';
  return prng.chance(0.7) ? 'en' : 'plain';
}

/** A money amount for a reason text: `1234.5` → `1,234.50`. */
export function money(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const whole = Math.floor(Math.abs(cents) / 100).toLocaleString('en-US');
  return `${sign}${whole}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;
}

function quantityText(milli: number): string {
  return String(milli / 1000);
}

function priceText(micro: number): string {
  return (micro / 10_000).toFixed(micro % 100 === 0 ? 2 : 4);
}

/** Swaps two adjacent different digits of an amount in cents (the classic keying slip). */
function transposed(cents: number, prng: Prng): number {
  const digits = [...String(cents)];
  const positions: number[] = [];
  for (let index = 0; index + 1 < digits.length; index++) {
    if (digits[index] !== digits[index + 1] && !(index === 0 && digits[index + 1] === '0')) {
      positions.push(index);
    }
  }
  if (positions.length === 0) return cents + 900;
  const at = prng.pick(positions);
  const swapped = [...digits];
  [swapped[at], swapped[at + 1]] = [digits[at + 1] ?? '0', digits[at] ?? '0'];
  return Number(swapped.join(''));
}

/**
 * Generates supplier invoices and goods receipts for the latest `orders` closed purchase orders,
 * with planted exceptions and their truth. Deterministic: it draws from its own PRNG stream of the
 * seed, so the orders, suppliers and truth labels of the sandbox do not move.
 *
 * Planted per order (shares in {@link INVOICE_TUNING}): a price variance (one line billed 3–25 %
 * above the order price), a quantity variance (billed more than received), a missing goods receipt,
 * a tax error (VAT computed at another rate than the one printed), a document mismatch (the record
 * keyed in differs from the document: transposed digits, a wrong date or quantity); clean orders,
 * some delivered in two parts (two receipts, two invoices) or short (invoiced for what arrived).
 * Then duplicates: copies of 5 % of the invoices, re-sent days or weeks later with a re-typed
 * number, a date moved by up to 3 days and the same or a near-identical amount.
 */
export function generateInvoices(options: {
  seed: number;
  today: string;
  orders: readonly SourceOrder[];
  suppliers: readonly SupplierRecord[];
}): GeneratedInvoiceData {
  const prng = createPrng(deriveSeed(options.seed, 'invoices'));
  const today = dayFromIso(options.today);
  const suppliers = new Map(options.suppliers.map((supplier) => [supplier.supplier_id, supplier]));
  const drafts: Draft[] = [];
  const receipts: DraftReceipt[] = [];

  for (const order of options.orders) {
    const supplier = suppliers.get(order.header.supplier_id);
    if (!supplier) throw new Error(`order ${order.header.po_number} names unknown supplier`);
    const closedDay = Math.min(today - 1, dayFromIso(order.header.updated_at.slice(0, 10)));
    const kind = pickKind(prng);
    const lines = linesOf(order);
    const base = (part: number, invoiceDay: number, billed: DraftLine[]): Draft => ({
      order,
      supplier,
      part,
      invoiceDay,
      entryDay: Math.min(today, invoiceDay + prng.int(1, 6)),
      lines: billed,
      layout: 'plain',
      label: 'matched',
      detail: 'clean',
      number: '',
      document: null,
      keying: null,
      copyOf: null,
      id: '',
    });
    const invoiceDayAfter = (day: number) => Math.min(today - 1, day + prng.int(0, 10));
    const received = (day: number, billed: DraftLine[]): DraftReceipt => ({
      poNumber: order.header.po_number,
      day,
      lines: billed.map((line) => ({ ...line })),
    });

    if (kind === 'split') {
      const firstDay = closedDay - prng.int(4, 15);
      const first: DraftLine[] = [];
      const second: DraftLine[] = [];
      for (const line of lines) {
        const part = partOf(line.quantityMilli, draw(prng, [0.4, 0.7]), stepOf(line.uom));
        first.push({ ...line, quantityMilli: part });
        if (part < line.quantityMilli) second.push({ ...line, quantityMilli: line.quantityMilli - part });
      }
      receipts.push(received(firstDay, first));
      drafts.push(base(0, invoiceDayAfter(firstDay), first));
      if (second.length > 0) {
        receipts.push(received(closedDay, second));
        const draft = base(1, invoiceDayAfter(closedDay), second);
        draft.detail = 'clean: second part of a split delivery';
        drafts.push(draft);
      }
      continue;
    }

    const draft = base(
      0,
      invoiceDayAfter(closedDay),
      lines.map((line) => ({ ...line })),
    );
    const receipt = received(closedDay, lines);
    const target = prng.int(0, lines.length - 1);
    const line = draft.lines[target];
    const receivedLine = receipt.lines[target];
    if (!line || !receivedLine) throw new Error(`order ${order.header.po_number} has no lines`);
    const step = stepOf(line.uom);
    switch (kind) {
      case 'short': {
        const part = partOf(line.quantityMilli, draw(prng, [0.6, 0.95]), step);
        receivedLine.quantityMilli = part;
        line.quantityMilli = part;
        draft.detail = `clean: delivered short (${quantityText(part)} ${line.uom.trim()}) and invoiced for what arrived`;
        break;
      }
      case 'price_variance': {
        // Whole cents from 1.00 up; cheaper items are priced to the 1/10000, as suppliers do.
        const exact = line.unitPriceMicro * draw(prng, INVOICE_TUNING.priceRaise);
        const raised = line.unitPriceMicro >= 10_000 ? Math.round(exact / 100) * 100 : Math.round(exact);
        draft.label = 'price_variance';
        draft.detail = `line ${target + 1}: billed at ${priceText(raised)} instead of the order price ${priceText(line.unitPriceMicro)}`;
        line.unitPriceMicro = raised;
        break;
      }
      case 'quantity_variance': {
        draft.label = 'quantity_variance';
        if (prng.chance(0.5) && Math.round(line.quantityMilli / step) >= 2) {
          receivedLine.quantityMilli = partOf(line.quantityMilli, draw(prng, [0.5, 0.9]), step);
        } else {
          line.quantityMilli += Math.max(
            step,
            Math.round((line.quantityMilli * draw(prng, [0.1, 0.5])) / step) * step,
          );
        }
        draft.detail = `line ${target + 1}: billed ${quantityText(line.quantityMilli)}, received ${quantityText(receivedLine.quantityMilli)}`;
        break;
      }
      case 'missing_receipt':
        draft.label = 'missing_receipt';
        draft.detail = `no goods receipt for order ${order.header.po_number}`;
        break;
      case 'tax_error':
        draft.label = 'tax_error';
        break;
      case 'document_mismatch':
        draft.label = 'document_mismatch';
        break;
      case 'clean':
        break;
    }
    if (draft.label === 'matched' && kind === 'clean' && prng.chance(INVOICE_TUNING.cleanPriceNoiseShare)) {
      const noisy = draft.lines[prng.int(0, draft.lines.length - 1)];
      if (noisy) {
        const shift = Math.round(noisy.unitPriceMicro * draw(prng, [-1, 1]) * INVOICE_TUNING.cleanPriceNoise);
        noisy.unitPriceMicro = Math.max(1, noisy.unitPriceMicro + shift);
        if (shift !== 0) draft.detail = 'clean: a unit price with four decimals, within rounding';
      }
    }
    if (kind !== 'missing_receipt') receipts.push(receipt);
    drafts.push(draft);
  }

  assignNumbers(drafts, options.seed, prng);
  for (const draft of drafts) draft.document = documentOf(draft, prng);
  const copies = plantDuplicates(drafts, today, prng);
  for (const draft of drafts)
    if (draft.label === 'document_mismatch') draft.keying = keyingErrorOf(draft, prng);

  const all = [...drafts, ...copies];
  all.sort(
    (a, b) =>
      a.entryDay - b.entryDay ||
      Number(a.copyOf !== null) - Number(b.copyOf !== null) ||
      a.order.header.po_number.localeCompare(b.order.header.po_number) ||
      a.part - b.part,
  );
  all.forEach((draft, index) => {
    draft.id = zeroPad(FIRST_INVOICE_ID + index, 10);
  });
  const processed = Math.floor(all.length * INVOICE_TUNING.processedShare);
  const invoices = all.map((draft, index) => toGenerated(draft, index < processed, today, prng));

  receipts.sort((a, b) => a.day - b.day || a.poNumber.localeCompare(b.poNumber));
  return {
    invoices,
    receipts: receipts.map((receipt, index) => ({
      receipt_id: zeroPad(FIRST_RECEIPT_ID + index, 10),
      po_number: receipt.poNumber,
      receipt_date: compactFromDay(receipt.day),
      lines: receipt.lines.map((line, position) => ({
        line_no: zeroPad(position + 1, 4),
        po_line_no: line.poLine,
        item_no: line.itemNo,
        quantity: formatDecimalComma(line.quantityMilli, 3),
        uom: line.uom,
      })),
    })),
  };
}

/** Numbers each supplier's invoices in date order, in the supplier's own scheme. */
function assignNumbers(drafts: Draft[], seed: number, prng: Prng): void {
  const bySupplier = new Map<string, Draft[]>();
  for (const draft of drafts) {
    const list = bySupplier.get(draft.supplier.supplier_id);
    if (list) list.push(draft);
    else bySupplier.set(draft.supplier.supplier_id, [draft]);
  }
  for (const [supplierId, list] of bySupplier) {
    const supplierPrng = createPrng(deriveSeed(seed, `numbering:${supplierId}`));
    const numbering: InvoiceNumbering = drawNumbering(supplierPrng);
    const layout = layoutOf(list[0]?.supplier.country ?? '', supplierPrng);
    list.sort(
      (a, b) =>
        a.invoiceDay - b.invoiceDay ||
        a.order.header.po_number.localeCompare(b.order.header.po_number) ||
        a.part - b.part,
    );
    let sequence = numbering.start;
    for (const draft of list) {
      sequence += prng.chance(0.6) ? 1 : prng.int(2, 4);
      draft.number = numbering.format(sequence, Number(isoFromDay(draft.invoiceDay).slice(0, 4)));
      draft.layout = layout;
    }
  }
}

/** What the supplier prints: amounts from the billed lines, VAT at the supplier's rate (or not). */
function documentOf(draft: Draft, prng: Prng): InvoiceDocumentContent {
  const lines = draft.lines.map((line, index) => ({
    position: index + 1,
    itemNo: line.itemNo.replace(/^0+(?=\d)/, ''),
    description: line.description.trim(),
    quantityMilli: line.quantityMilli,
    uom: line.uom.trim(),
    unitPriceMicro: line.unitPriceMicro,
    amountCents: amountCents(line),
  }));
  const netCents = lines.reduce((sum, line) => sum + line.amountCents, 0);
  const basis = vatBasisPoints(draft.supplier.country);
  let taxCents = Math.round((netCents * basis) / 10_000);
  if (draft.label === 'tax_error') {
    const shift = basis === 0 ? prng.int(500, 1900) : (prng.chance(0.5) ? 1 : -1) * prng.int(100, 400);
    const wrong = Math.round((netCents * (basis + shift)) / 10_000);
    const difference = Math.abs(wrong - taxCents) < 10 ? Math.sign(shift) * 10 : wrong - taxCents;
    draft.detail = `VAT ${money(taxCents + difference)} printed at ${basis / 100} % of ${money(netCents)}; right is ${money(taxCents)}`;
    taxCents += difference;
  } else if (draft.label === 'matched' && prng.chance(INVOICE_TUNING.cleanTaxNoiseShare)) {
    taxCents += prng.chance(0.5) ? 1 : -1;
  }
  return {
    layout: draft.layout,
    supplierName: draft.supplier.name.trim(),
    supplierCountry: draft.supplier.country,
    invoiceNumber: draft.number,
    invoiceDate: isoFromDay(draft.invoiceDay),
    poNumber: draft.order.header.po_number.replace(/^0+(?=\d)/, ''),
    currency: draft.order.header.currency,
    lines,
    netCents,
    taxRateBasis: basis,
    taxCents,
    grossCents: netCents + taxCents,
  };
}

/** Copies of some invoices, sent again days or weeks later, numbered and dated a little differently. */
function plantDuplicates(drafts: readonly Draft[], today: number, prng: Prng): Draft[] {
  const copies: Draft[] = [];
  for (const original of drafts) {
    if (!prng.chance(INVOICE_TUNING.duplicateShare)) continue;
    const document = original.document;
    if (!document) continue;
    const { number, variant } = duplicateNumber(original.number, prng);
    const shift = prng.chance(0.2) ? 0 : (prng.chance(0.5) ? 1 : -1) * prng.int(1, 3);
    const invoiceDay = Math.min(today - 1, original.invoiceDay + shift);
    const entryDay = Math.min(today, Math.max(original.entryDay + prng.int(3, 40), invoiceDay + 1));
    let taxCents = document.taxCents;
    let amountNote = 'the same amount';
    if (prng.chance(0.35)) {
      taxCents += (prng.chance(0.5) ? 1 : -1) * prng.int(1, 3);
      amountNote = `${money(document.netCents + taxCents)} instead of ${money(document.grossCents)}`;
    }
    const copy: Draft = {
      ...original,
      invoiceDay,
      entryDay,
      number,
      label: 'duplicate',
      detail: '',
      keying: null,
      copyOf: original,
      document: {
        ...document,
        invoiceNumber: number,
        invoiceDate: isoFromDay(invoiceDay),
        taxCents,
        grossCents: document.netCents + taxCents,
      },
    };
    copy.detail = `copy of ${original.number} (number ${variant}: "${number}"), dated ${shift >= 0 ? '+' : ''}${shift} days, ${amountNote}`;
    copies.push(copy);
  }
  return copies;
}

/** The slip a clerk made keying a document-mismatch invoice in. */
function keyingErrorOf(draft: Draft, prng: Prng): KeyingError {
  const document = draft.document;
  if (!document) throw new Error('a keying error needs the document');
  const roll = prng.next();
  if (roll < 0.45) {
    const grossCents = transposed(document.grossCents, prng);
    draft.detail = `gross keyed as ${money(grossCents)}, the document says ${money(document.grossCents)}`;
    return { kind: 'gross', grossCents };
  }
  if (roll < 0.7) {
    const day = draft.invoiceDay + (prng.chance(0.5) ? 1 : -1) * prng.int(1, 9);
    draft.detail = `invoice date keyed as ${isoFromDay(day)}, the document says ${document.invoiceDate}`;
    return { kind: 'date', day };
  }
  const line = prng.int(0, document.lines.length - 1);
  const printed = document.lines[line]?.quantityMilli ?? 1000;
  const quantityMilli =
    printed >= 10_000 && prng.chance(0.5) ? Math.round(printed / 10_000) * 1000 : printed * 10;
  draft.detail = `line ${line + 1} quantity keyed as ${quantityText(quantityMilli)}, the document says ${quantityText(printed)}`;
  return { kind: 'quantity', line, quantityMilli };
}

function reasonOf(draft: Draft): string {
  if (draft.label === 'duplicate' && draft.copyOf) return `duplicate of invoice ${draft.copyOf.id}`;
  return `${draft.label.replace('_', ' ')}: ${draft.detail}`;
}

function toGenerated(draft: Draft, processed: boolean, today: number, prng: Prng): GeneratedInvoice {
  const document = draft.document;
  if (!document) throw new Error('every invoice has a document');
  const keying = draft.keying;
  const invoiceDay = keying?.kind === 'date' ? keying.day : draft.invoiceDay;
  const grossCents = keying?.kind === 'gross' ? keying.grossCents : document.grossCents;
  const status = processed
    ? draft.label === 'matched'
      ? MATCH_STATUS_CODES.matched
      : MATCH_STATUS_CODES.exception
    : MATCH_STATUS_CODES.open;
  const updatedDay = processed ? Math.min(today, draft.entryDay + prng.int(1, 10)) : draft.entryDay;
  const header: InvoiceHeader = {
    invoice_id: draft.id,
    invoice_number: blankPad(document.invoiceNumber, INVOICE_FIELD_WIDTHS.invoiceNumber),
    supplier_id: draft.supplier.supplier_id,
    invoice_date: compactFromDay(invoiceDay),
    entry_date: compactFromDay(draft.entryDay),
    po_number: draft.order.header.po_number,
    currency: document.currency,
    net_amount: formatDecimalComma(document.netCents, 2),
    tax_rate: formatDecimalComma(document.taxRateBasis, 2),
    tax_amount: formatDecimalComma(document.taxCents, 2),
    gross_amount: formatDecimalComma(grossCents, 2),
    match_status: status,
    exception_reason: blankPad(
      processed && draft.label !== 'matched' ? reasonOf(draft) : '',
      INVOICE_FIELD_WIDTHS.exceptionReason,
    ),
    updated_at: timestampOf(updatedDay, prng.int(7 * 3600_000, 17 * 3600_000)),
  };
  const lines = document.lines.map((line, index): InvoiceLineRecord => {
    const source = draft.lines[index];
    const quantityMilli =
      keying?.kind === 'quantity' && keying.line === index ? keying.quantityMilli : line.quantityMilli;
    return {
      line_no: zeroPad((index + 1) * 10, 5),
      po_line_no: source?.poLine ?? zeroPad((index + 1) * 10, 5),
      item_no: source?.itemNo ?? line.itemNo.padStart(18, '0'),
      description: source?.description ?? blankPad(line.description, INVOICE_FIELD_WIDTHS.description),
      quantity: formatDecimalComma(quantityMilli, 3),
      uom: source?.uom ?? blankPad(line.uom, INVOICE_FIELD_WIDTHS.uom),
      unit_price: line.unitPriceMicro / 10_000,
      amount: formatDecimalComma(line.amountCents, 2),
    };
  });
  return {
    header,
    lines,
    document,
    truth: {
      invoice_id: draft.id,
      label: draft.label,
      duplicate_of: draft.copyOf?.id ?? null,
      detail: draft.detail,
    },
  };
}
