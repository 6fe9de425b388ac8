import { describe, expect, test } from 'vitest';
import { dayFromCompact } from '../calendar.ts';
import { parseDecimalComma } from '../legacy-format.ts';
import { generatePurchaseOrders } from '../order-generator.ts';
import type { SeedParameters } from '../seed-parameters.ts';
import { generateSuppliers } from '../supplier-generator.ts';
import {
  type GeneratedInvoice,
  generateInvoices,
  invoicedOrderCount,
  type SourceOrder,
} from './invoice-generator.ts';

const parameters: SeedParameters = {
  seed: 42,
  orders: 100,
  history: 6000,
  suppliers: 120,
  today: '2026-11-02',
};

function generate(seed: number) {
  const suppliers = generateSuppliers(seed, parameters.suppliers);
  const closed: SourceOrder[] = [...generatePurchaseOrders({ ...parameters, seed }, suppliers)]
    .filter((order) => order.header.status === 'CLOSED')
    .slice(-invoicedOrderCount(parameters.history));
  return {
    orders: closed,
    data: generateInvoices({
      seed,
      today: parameters.today,
      orders: closed,
      suppliers: suppliers.map((s) => s.record),
    }),
  };
}

const { orders, data } = generate(42);
const byOrder = new Map(orders.map((order) => [order.header.po_number, order]));
const cents = (text: string) => parseDecimalComma(text, 2);

function labelled(label: string): GeneratedInvoice[] {
  return data.invoices.filter((invoice) => invoice.truth.label === label);
}

describe('generateInvoices', () => {
  test('is deterministic and depends on the seed', () => {
    expect(JSON.stringify(generate(42).data)).toBe(JSON.stringify(data));
    expect(JSON.stringify(generate(7).data.invoices.slice(0, 20))).not.toBe(
      JSON.stringify(data.invoices.slice(0, 20)),
    );
  });

  test('plants every kind of exception, about as often as tuned', () => {
    const total = data.invoices.length;
    expect(total).toBeGreaterThan(1250);
    const share = (label: string) => labelled(label).length / total;
    expect(share('matched')).toBeGreaterThan(0.72);
    expect(share('matched')).toBeLessThan(0.85);
    for (const label of [
      'price_variance',
      'quantity_variance',
      'missing_receipt',
      'duplicate',
      'tax_error',
    ]) {
      expect(share(label), label).toBeGreaterThan(0.02);
    }
    expect(labelled('document_mismatch').length).toBeGreaterThan(10);
  });

  test('numbers invoices in keying order, copies after their originals', () => {
    const ids = data.invoices.map((invoice) => invoice.header.invoice_id);
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0]).toBe('5105600001');
    for (const copy of labelled('duplicate')) {
      const original = data.invoices.find((invoice) => invoice.header.invoice_id === copy.truth.duplicate_of);
      expect(original).toBeDefined();
      expect(copy.header.invoice_id > (original?.header.invoice_id ?? '')).toBe(true);
      expect(copy.header.supplier_id).toBe(original?.header.supplier_id);
      const days = Math.abs(
        dayFromCompact(copy.header.invoice_date) - dayFromCompact(original?.header.invoice_date ?? ''),
      );
      expect(days).toBeLessThanOrEqual(3 + 9); // ±3 days, plus a keying slip of the original's date
      expect(
        Math.abs(cents(copy.header.gross_amount) - cents(original?.header.gross_amount ?? '0')),
      ).toBeLessThan(original?.truth.label === 'document_mismatch' ? 1e9 : 4);
    }
  });

  test('keeps amounts consistent: lines add up, net + VAT = gross on the document', () => {
    for (const invoice of data.invoices) {
      const { document } = invoice;
      expect(document.lines.reduce((sum, line) => sum + line.amountCents, 0)).toBe(document.netCents);
      expect(document.netCents + document.taxCents).toBe(document.grossCents);
    }
  });

  test('clean invoices stay within rounding of their orders; planted ones are clearly off', () => {
    for (const invoice of labelled('matched')) {
      const order = byOrder.get(invoice.header.po_number);
      for (const line of invoice.lines) {
        const orderLine = order?.lines.find((candidate) => candidate.line_no === line.po_line_no);
        expect(Math.abs(line.unit_price / (orderLine?.unit_price ?? 1) - 1)).toBeLessThanOrEqual(0.0031);
      }
      const expectedTax = Math.round(
        (cents(invoice.header.net_amount) * cents(invoice.header.tax_rate)) / 10_000,
      );
      expect(Math.abs(cents(invoice.header.tax_amount) - expectedTax)).toBeLessThanOrEqual(1);
    }
    for (const invoice of labelled('price_variance')) {
      const order = byOrder.get(invoice.header.po_number);
      const ratios = invoice.lines.map((line) => {
        const orderLine = order?.lines.find((candidate) => candidate.line_no === line.po_line_no);
        return line.unit_price / (orderLine?.unit_price ?? 1);
      });
      expect(Math.max(...ratios)).toBeGreaterThanOrEqual(1.025);
    }
    for (const invoice of labelled('tax_error')) {
      const expectedTax = Math.round(
        (cents(invoice.header.net_amount) * cents(invoice.header.tax_rate)) / 10_000,
      );
      expect(Math.abs(cents(invoice.header.tax_amount) - expectedTax)).toBeGreaterThanOrEqual(10);
    }
  });

  test('leaves orders of missing-receipt invoices without a receipt', () => {
    const received = new Set(data.receipts.map((receipt) => receipt.po_number));
    for (const invoice of labelled('missing_receipt'))
      expect(received.has(invoice.header.po_number)).toBe(false);
    expect(labelled('matched').every((invoice) => received.has(invoice.header.po_number))).toBe(true);
  });

  test('keys document-mismatch invoices differently from their document', () => {
    for (const invoice of labelled('document_mismatch')) {
      const { document, header } = invoice;
      const differs =
        cents(header.gross_amount) !== document.grossCents ||
        header.invoice_date !== document.invoiceDate.replaceAll('-', '') ||
        invoice.lines.some(
          (line, index) => parseDecimalComma(line.quantity, 3) !== document.lines[index]?.quantityMilli,
        );
      expect(differs, invoice.truth.detail).toBe(true);
    }
  });
});
