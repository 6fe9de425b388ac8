import { segment } from '../../src/formats/edi/edi-model.ts';
import { buildOrders05, type Orders05Input } from '../../src/formats/idoc/orders05.ts';
import { formatIdocXml } from '../../src/formats/idoc/write-idoc.ts';
import { buildX12Interchange, generateX12 } from '../../src/formats/x12/generate-x12.ts';
import type { ExportedOrder } from './export-job.ts';

/**
 * The open orders the way EDI-speaking ERPs send them, written with src/formats: SAP IDoc XML
 * (ORDERS05, one IDoc per order) and an ANSI X12 850 interchange (one transaction set per order).
 * Orders without lines are left out: neither format has a purchase order without items.
 */

/** `"12345,67"` → `"12345.67"`: EDI amounts use a decimal point. */
function decimalPoint(value: string): string {
  return value.trim().replace(',', '.');
}

/** `YYYYMMDD` and `HHMMSS` of `at`, UTC. */
function stamp(at: Date): { date: string; time: string } {
  const iso = at.toISOString();
  return { date: iso.slice(0, 10).replaceAll('-', ''), time: iso.slice(11, 19).replaceAll(':', '') };
}

/** One ORDERS05 IDoc XML file of `orders`; IDoc numbers count up from `firstDocnum`. */
export function orders05File(orders: readonly ExportedOrder[], at: Date, firstDocnum: number): string | null {
  const { date, time } = stamp(at);
  const idocs = orders
    .filter((order) => order.lines.length > 0)
    .map((order, index) => {
      const input: Orders05Input = {
        control: {
          docnum: String(firstDocnum + index),
          sender: { port: 'SAPSBX', partner: 'SANDBOX' },
          receiver: { port: 'ERPBRIDGE', partner: 'ERPBRIDGE' },
          createdDate: date,
          createdTime: time,
        },
        header: { poNumber: order.po_number, currency: order.currency },
        dates: [
          { qualifier: '012', date: order.order_date },
          { qualifier: '002', date: order.need_by },
        ],
        partners: [{ role: 'LF', partnerNumber: order.supplier_id }],
        items: order.lines.map((line) => ({
          position: line.line_no,
          quantity: decimalPoint(line.quantity),
          unit: line.uom.trim(),
          price: String(line.unit_price),
          material: line.item_no,
          description: line.description.trim(),
          deliveryDate: line.need_by,
        })),
        total: { amount: decimalPoint(order.total_amount), currency: order.currency },
      };
      return buildOrders05(input);
    });
  return idocs.length === 0 ? null : formatIdocXml(idocs);
}

/** One X12 850 interchange of `orders`, with interchange control number `control`. */
export function x12PurchaseOrders(
  orders: readonly ExportedOrder[],
  at: Date,
  control: number,
): string | null {
  const withLines = orders.filter((order) => order.lines.length > 0);
  if (withLines.length === 0) return null;
  const controlNumber = String(control % 1_000_000_000);
  const interchange = buildX12Interchange({
    sender: { qualifier: 'ZZ', id: 'SANDBOX' },
    receiver: { qualifier: 'ZZ', id: 'ERPBRIDGE' },
    controlNumber,
    at,
    usage: 'T',
    groups: [
      {
        functionalId: 'PO',
        applicationSender: 'SANDBOX',
        applicationReceiver: 'ERPBRIDGE',
        controlNumber,
        version: '004010',
        transactionSets: withLines.map((order, index) => ({
          type: '850',
          controlNumber: String(index + 1).padStart(4, '0'),
          body: [
            segment('BEG', '00', 'SA', order.po_number, '', order.order_date),
            segment('CUR', 'BY', order.currency),
            segment('DTM', '002', order.need_by),
            segment('N1', 'SU', '', '92', order.supplier_id),
            ...order.lines.map((line) =>
              segment(
                'PO1',
                line.line_no,
                decimalPoint(line.quantity),
                line.uom.trim(),
                String(line.unit_price),
                '',
                'VP',
                line.item_no,
              ),
            ),
            segment('CTT', String(order.lines.length)),
            segment('AMT', 'TT', decimalPoint(order.total_amount)),
          ],
        })),
      },
    ],
  });
  return generateX12(interchange);
}
