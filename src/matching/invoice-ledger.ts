import type { GoodsReceipt } from '../canonical/goods-receipt.ts';
import type { Invoice } from '../canonical/invoice.ts';
import type { PurchaseOrder } from '../canonical/purchase-order.ts';
import { type NumberRelation, relateNumbers } from './invoice-number.ts';
import type { MatchTolerances } from './tolerances.ts';

/** Why an invoice is taken for a copy of an earlier one. */
export interface DuplicateFinding {
  /** The earlier invoice it copies. */
  of: Invoice;
  relation: Exclude<NumberRelation, { kind: 'different' }> | { kind: 'renumbered' };
  dayGap: number;
  amountGap: number;
  confidence: number;
}

/** What was received (and billed before) per order line, by line number. */
export type LineQuantities = ReadonlyMap<number, number>;

const DAY_MS = 86_400_000;

function dayGap(a: string, b: string): number {
  return Math.round(Math.abs(Date.parse(a) - Date.parse(b)) / DAY_MS);
}

function cents(value: number): number {
  return Math.round(value * 100);
}

/** The order line an invoice line bills: by its line number when given, else by item. */
export function orderLineOf(
  order: PurchaseOrder,
  line: { purchaseOrderLine: number | null; itemId: string },
): PurchaseOrder['lines'][number] | undefined {
  if (line.purchaseOrderLine !== null) {
    const byNumber = order.lines.find((candidate) => candidate.lineNumber === line.purchaseOrderLine);
    if (byNumber) return byNumber;
  }
  return order.lines.find((candidate) => candidate.itemId === line.itemId);
}

/**
 * Everything three-way matching looks up, read once per run: every invoice (for duplicates and
 * for what was billed before), the orders and the goods receipts, indexed.
 *
 * "Earlier" means entered earlier: a lower document id (ids rise as invoices are keyed in). An
 * invoice's duplicates are decided in id order, so "billed before" never counts a copy.
 */
export class InvoiceLedger {
  readonly #invoices: Invoice[];
  readonly #bySupplier = new Map<string, Invoice[]>();
  readonly #byOrder = new Map<string, Invoice[]>();
  readonly #orders = new Map<string, PurchaseOrder>();
  readonly #receipts = new Map<string, GoodsReceipt[]>();
  readonly #duplicates = new Map<string, DuplicateFinding | null>();
  readonly #tolerances: MatchTolerances;

  constructor(
    data: {
      invoices: readonly Invoice[];
      orders: readonly PurchaseOrder[];
      receipts: readonly GoodsReceipt[];
    },
    tolerances: MatchTolerances,
  ) {
    this.#tolerances = tolerances;
    this.#invoices = [...data.invoices].sort(byEntry);
    for (const invoice of this.#invoices) {
      append(this.#bySupplier, invoice.supplierId, invoice);
      if (invoice.purchaseOrderId !== null) append(this.#byOrder, invoice.purchaseOrderId, invoice);
    }
    for (const order of data.orders) this.#orders.set(order.id, order);
    for (const receipt of data.receipts) append(this.#receipts, receipt.purchaseOrderId, receipt);
  }

  get invoiceCount(): number {
    return this.#invoices.length;
  }

  order(id: string | null): PurchaseOrder | null {
    return id === null ? null : (this.#orders.get(id) ?? null);
  }

  receipts(orderId: string | null): readonly GoodsReceipt[] {
    return orderId === null ? [] : (this.#receipts.get(orderId) ?? []);
  }

  /** Received quantity per order line, over all receipts of the order. */
  received(orderId: string | null): LineQuantities {
    const totals = new Map<number, number>();
    for (const receipt of this.receipts(orderId)) {
      for (const line of receipt.lines) {
        totals.set(line.purchaseOrderLine, (totals.get(line.purchaseOrderLine) ?? 0) + line.quantity);
      }
    }
    return totals;
  }

  /**
   * Quantity per order line billed by invoices entered before `invoice` on the same order, copies
   * not counted. `invoice` itself may be one the ledger does not hold (then all earlier ones count).
   */
  billedBefore(invoice: Invoice): LineQuantities {
    const totals = new Map<number, number>();
    const order = this.order(invoice.purchaseOrderId);
    if (invoice.purchaseOrderId === null) return totals;
    for (const earlier of this.#byOrder.get(invoice.purchaseOrderId) ?? []) {
      if (byEntry(earlier, invoice) >= 0) break;
      if (this.duplicateOf(earlier) !== null) continue;
      for (const line of earlier.lines) {
        const orderLine = order ? orderLineOf(order, line) : undefined;
        const key = orderLine?.lineNumber ?? line.purchaseOrderLine ?? 0;
        totals.set(key, (totals.get(key) ?? 0) + line.quantity);
      }
    }
    return totals;
  }

  /**
   * The earlier invoice this one copies, or null. Same supplier, the same gross or net amount within
   * tolerance, and then: the same number however written, or extended by a short suffix, dated
   * within `sameNumberWindowDays`; or, dated within `dateWindowDays`, one character apart on the
   * same order (a typo — but also what a supplier's next number looks like, so only when the
   * order's receipts do not cover both); or another number for the same order, the same lines and
   * amount to the cent, when the receipts do not cover both (re-numbered).
   */
  duplicateOf(invoice: Invoice): DuplicateFinding | null {
    const known = this.#duplicates.get(invoice.id);
    if (known !== undefined) return known;
    const finding = this.#findDuplicate(invoice);
    this.#duplicates.set(invoice.id, finding);
    return finding;
  }

  #findDuplicate(invoice: Invoice): DuplicateFinding | null {
    const rules = this.#tolerances.duplicates;
    let best: DuplicateFinding | null = null;
    for (const earlier of this.#bySupplier.get(invoice.supplierId) ?? []) {
      if (byEntry(earlier, invoice) >= 0) break;
      if (earlier.currency !== invoice.currency) continue;
      const days = dayGap(earlier.invoiceDate, invoice.invoiceDate);
      if (days > Math.max(rules.dateWindowDays, rules.sameNumberWindowDays)) continue;
      // Gross or net: one of them keyed wrong on either invoice must not hide the copy.
      const allowed = (amount: number) =>
        Math.max(rules.amountAbsolute, (Math.abs(amount) * rules.amountPct) / 100);
      const grossGap = Math.abs(earlier.grossAmount - invoice.grossAmount);
      const netGap = Math.abs(earlier.netAmount - invoice.netAmount);
      if (grossGap > allowed(earlier.grossAmount) + 1e-9 && netGap > allowed(earlier.netAmount) + 1e-9)
        continue;
      const amountGap = Math.min(grossGap, netGap);
      if (this.duplicateOf(earlier) !== null) continue;
      const relation = relateNumbers(earlier.invoiceNumber, invoice.invoiceNumber, rules.maxSuffix);
      const sameOrder =
        earlier.purchaseOrderId !== null && earlier.purchaseOrderId === invoice.purchaseOrderId;
      const strong =
        relation.kind === 'identical' || relation.kind === 'same-number' || relation.kind === 'extended';
      if (days > (strong ? rules.sameNumberWindowDays : rules.dateWindowDays)) continue;
      let finding: DuplicateFinding | null = null;
      const base = { of: earlier, dayGap: days, amountGap };
      switch (relation.kind) {
        case 'identical':
          finding = { ...base, relation, confidence: 0.98 };
          break;
        case 'same-number':
          finding = { ...base, relation, confidence: 0.96 };
          break;
        case 'extended':
          finding = { ...base, relation, confidence: 0.93 };
          break;
        case 'one-character':
          if (sameOrder && this.#overbills(invoice)) finding = { ...base, relation, confidence: 0.86 };
          break;
        case 'different':
          if (
            sameOrder &&
            cents(amountGap) === 0 &&
            sameLines(earlier, invoice) &&
            this.#overbills(invoice)
          ) {
            finding = { ...base, relation: { kind: 'renumbered' }, confidence: 0.8 };
          }
          break;
      }
      if (finding && (best === null || finding.confidence > best.confidence)) best = finding;
    }
    return best;
  }

  /** Whether the invoice, on top of what was billed before, bills more than was received. */
  #overbills(invoice: Invoice): boolean {
    const received = this.received(invoice.purchaseOrderId);
    const billed = new Map(this.billedBefore(invoice));
    const order = this.order(invoice.purchaseOrderId);
    for (const line of invoice.lines) {
      const key = (order ? orderLineOf(order, line)?.lineNumber : undefined) ?? line.purchaseOrderLine ?? 0;
      billed.set(key, (billed.get(key) ?? 0) + line.quantity);
    }
    for (const [line, quantity] of billed) if (quantity > (received.get(line) ?? 0) + 1e-9) return true;
    return false;
  }
}

function append<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function sameLines(a: Invoice, b: Invoice): boolean {
  if (a.lines.length !== b.lines.length) return false;
  return a.lines.every((line, index) => {
    const other = b.lines[index];
    return other !== undefined && other.itemId === line.itemId && other.quantity === line.quantity;
  });
}

/** Entry order: document ids rise as invoices are keyed in (numeric when both are numbers). */
function byEntry(a: Invoice, b: Invoice): number {
  if (/^\d+$/.test(a.id) && /^\d+$/.test(b.id) && a.id.length !== b.id.length)
    return a.id.length - b.id.length;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
