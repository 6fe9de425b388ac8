import type { Invoice } from '../canonical/invoice.ts';
import { breachConfidence, formatMoney, formatPrice, formatQuantity, type MatchFinding } from './findings.ts';
import { type InvoiceLedger, orderLineOf } from './invoice-ledger.ts';
import type { MatchTolerances } from './tolerances.ts';

/** What the checks found, and how close the closest passed check came to its tolerance (0..1). */
export interface CheckResult {
  findings: MatchFinding[];
  /** 0 when everything agrees exactly, towards 1 as a passed check nears its tolerance. */
  closeness: number;
}

/**
 * Invoice ↔ order ↔ goods receipt, line by line: the order exists; each billed line is on it; goods
 * were received for it; what this invoice bills plus what earlier invoices billed does not exceed
 * what was received (within the quantity tolerance); the unit price is the order's (within the
 * price tolerance).
 */
export function checkAgainstOrder(
  invoice: Invoice,
  ledger: InvoiceLedger,
  tolerances: MatchTolerances,
): CheckResult {
  const findings: MatchFinding[] = [];
  let closeness = 0;
  const order = ledger.order(invoice.purchaseOrderId);
  if (!order) {
    const named =
      invoice.purchaseOrderId === null ? 'names no order' : `names order ${invoice.purchaseOrderId}`;
    findings.push({
      label: 'no_order',
      confidence: 0.95,
      reason: `invoice ${named}, which the ERP does not have: nothing to match against`,
    });
    return { findings, closeness };
  }
  const receipts = ledger.receipts(order.id);
  if (receipts.length === 0) {
    findings.push({
      label: 'missing_receipt',
      confidence: 0.97,
      reason: `no goods receipt for order ${order.id}: billed ${formatMoney(invoice.netAmount)} ${invoice.currency} net for goods not received`,
    });
  }
  const received = ledger.received(order.id);
  const billedBefore = ledger.billedBefore(invoice);
  for (const line of invoice.lines) {
    const orderLine = orderLineOf(order, line);
    if (!orderLine) {
      findings.push({
        label: 'quantity_variance',
        confidence: 0.9,
        reason: `line ${line.lineNumber}: item ${line.itemId} is not on order ${order.id}`,
      });
      continue;
    }
    const where = `line ${line.lineNumber} (item ${line.itemId})`;
    const receivedQuantity = received.get(orderLine.lineNumber) ?? 0;
    if (receipts.length > 0 && receivedQuantity === 0) {
      findings.push({
        label: 'missing_receipt',
        confidence: 0.93,
        reason: `${where}: nothing received for order line ${orderLine.lineNumber}`,
      });
    } else if (receivedQuantity > 0) {
      const before = billedBefore.get(orderLine.lineNumber) ?? 0;
      const billed = before + line.quantity;
      const allowed = Math.max(
        tolerances.quantityAbsolute,
        (receivedQuantity * tolerances.quantityPct) / 100,
      );
      const excess = billed - receivedQuantity;
      if (excess > allowed + 1e-9) {
        const earlier = before > 0 ? ` (${formatQuantity(before)} billed before)` : '';
        findings.push({
          label: 'quantity_variance',
          confidence: breachConfidence(allowed > 0 ? excess / allowed : 5),
          reason: `${where}: billed ${formatQuantity(line.quantity)}${earlier}, received ${formatQuantity(receivedQuantity)} ${orderLine.uom}`,
        });
      }
    }
    const difference = line.unitPrice - orderLine.unitPrice;
    const relative = orderLine.unitPrice > 0 ? (Math.abs(difference) * 100) / orderLine.unitPrice : Infinity;
    if (Math.abs(difference) > tolerances.priceAbsolute + 1e-9 && relative > tolerances.pricePct) {
      const percent = Number.isFinite(relative)
        ? ` (${difference > 0 ? '+' : '-'}${relative.toFixed(1)} %)`
        : '';
      findings.push({
        label: 'price_variance',
        confidence: breachConfidence(tolerances.pricePct > 0 ? relative / tolerances.pricePct : 5),
        reason: `${where}: unit price ${formatPrice(line.unitPrice)}, order price ${formatPrice(orderLine.unitPrice)}${percent}`,
      });
    } else if (tolerances.pricePct > 0) {
      closeness = Math.max(closeness, relative / tolerances.pricePct);
    }
  }
  return { findings, closeness: Math.min(1, closeness) };
}

/**
 * The invoice's own arithmetic: the lines add up to the net amount, VAT is the stated rate of the
 * net amount (within the tax tolerance), and net + VAT is the gross amount.
 */
export function checkArithmetic(invoice: Invoice, tolerances: MatchTolerances): CheckResult {
  const findings: MatchFinding[] = [];
  const lineSum = invoice.lines.reduce((sum, line) => sum + line.amount, 0);
  if (invoice.lines.length > 0 && Math.abs(lineSum - invoice.netAmount) > 0.011 * invoice.lines.length) {
    findings.push({
      label: 'price_variance',
      confidence: 0.9,
      reason: `net amount ${formatMoney(invoice.netAmount)} is not the sum of the lines ${formatMoney(lineSum)}`,
    });
  }
  const expected = Math.round(invoice.netAmount * invoice.taxRate) / 100;
  const taxGap = Math.abs(invoice.taxAmount - expected);
  let closeness = 0;
  if (taxGap > tolerances.taxAbsolute + 1e-9) {
    findings.push({
      label: 'tax_error',
      confidence: breachConfidence(tolerances.taxAbsolute > 0 ? taxGap / tolerances.taxAbsolute : 5),
      reason: `VAT ${formatMoney(invoice.taxAmount)} is not ${formatRate(invoice.taxRate)} % of ${formatMoney(invoice.netAmount)} (${formatMoney(expected)})`,
    });
  } else if (tolerances.taxAbsolute > 0) {
    closeness = taxGap / tolerances.taxAbsolute;
  }
  const grossGap = Math.abs(invoice.netAmount + invoice.taxAmount - invoice.grossAmount);
  if (grossGap > 0.011) {
    findings.push({
      label: 'tax_error',
      confidence: 0.9,
      reason: `gross ${formatMoney(invoice.grossAmount)} is not net ${formatMoney(invoice.netAmount)} + VAT ${formatMoney(invoice.taxAmount)}`,
    });
  }
  return { findings, closeness: Math.min(1, closeness) };
}

function formatRate(rate: number): string {
  return Number.isInteger(rate) ? String(rate) : rate.toFixed(2);
}
