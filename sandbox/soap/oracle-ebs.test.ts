import soap from 'soap';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Sandbox } from '../index.ts';
import { parseDecimalComma } from '../legacy-format.ts';
import { callSandbox, lastLoggedId, loggedRequests, records, startTestSandbox } from '../test-support.ts';
import {
  EBS_QUERY_TOP_NAMESPACE,
  EBS_SUPPLIER_TOP_NAMESPACE,
  EBS_UPDATE_PARAMETERS_NAMESPACE,
} from './ebs-wsdl.ts';
import { isoDateOf } from './record-formats.ts';
import { at, envelope, fields, postSoap, rowsAt, type SoapAnswer, textAt } from './soap-test-support.ts';
import type { XmlElement } from './xml-document.ts';

let sandbox: Sandbox;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ sandbox, stop } = await startTestSandbox({
    personality: 'oracle-ebs',
    orders: 120,
    history: 40,
    suppliers: 10,
  }));
});
afterAll(() => stop());

const QUERY_PATH = '/soa-infra/services/default/PurchaseOrderEBS/DB_QueryPurchaseOrderEBS';
const UPDATE_PATH = '/webservices/SOAProvider/plsql/xx_po_header_pub/';
const SUPPLIER_PATH = '/soa-infra/services/default/SupplierEBS/DB_QuerySupplierEBS';

function query(example: string, control = ''): Promise<SoapAnswer> {
  return postSoap(
    `${sandbox.url}${QUERY_PATH}`,
    envelope(
      `<top:PoHeadersAll xmlns:top="${EBS_QUERY_TOP_NAMESPACE}">${example}</top:PoHeadersAll>`,
      control === ''
        ? ''
        : `<top:QueryControl xmlns:top="${EBS_QUERY_TOP_NAMESPACE}">${control}</top:QueryControl>`,
    ),
  );
}

function update(parameters: string): Promise<SoapAnswer> {
  return postSoap(
    `${sandbox.url}${UPDATE_PATH}`,
    envelope(
      `<upd:InputParameters xmlns:upd="${EBS_UPDATE_PARAMETERS_NAMESPACE}">${parameters}</upd:InputParameters>`,
    ),
  );
}

async function restOpenOrders(): Promise<Record<string, unknown>[]> {
  return records((await callSandbox(sandbox, '/api/purchase_orders?status=open&page_size=1000')).body);
}

function headers(answer: SoapAnswer): XmlElement[] {
  expect(answer.status).toBe(200);
  return rowsAt(answer.body, 'PoHeadersAll');
}

/** The header columns of a PoHeadersAll element (lines left out). */
function columns(header: XmlElement): Record<string, string> {
  return fields({
    ...header,
    children: header.children.filter((child) => child.local !== 'poLinesAllCollection'),
  });
}

describe('oracle-ebs personality', () => {
  test('publishes both WSDLs; node-soap loads them and pages with the QueryControl header', async () => {
    const listing = await callSandbox({ url: sandbox.url, apiKey: null }, '/_sandbox/wsdl');
    expect(listing.body).toMatchObject({
      personality: 'oracle-ebs',
      wsdl: [
        `${sandbox.url}${QUERY_PATH}?WSDL`,
        `${sandbox.url}${UPDATE_PATH}?wsdl`,
        `${sandbox.url}${SUPPLIER_PATH}?WSDL`,
      ],
    });
    const queryClient = await soap.createClientAsync(`${sandbox.url}${QUERY_PATH}?WSDL`);
    expect(Object.keys(queryClient.describe().DB_QueryPurchaseOrderEBS.DB_QueryPurchaseOrderEBS_pt)).toEqual([
      'queryByExample',
    ]);
    const updateClient = await soap.createClientAsync(`${sandbox.url}${UPDATE_PATH}?wsdl`);
    expect(Object.keys(updateClient.describe().XX_PO_HEADER_PUB_Service.XX_PO_HEADER_PUB_Port)).toEqual([
      'UPDATE_PO_HEADER',
    ]);
    queryClient.addSoapHeader({ QueryControl: { maxRows: 3 } }, '', 'top', EBS_QUERY_TOP_NAMESPACE);
    const [result, , header] = await queryClient.queryByExampleAsync({ closedCode: 'OPEN' });
    expect(result.PoHeadersAll).toHaveLength(3);
    expect(header.QueryStatus).toMatchObject({ rowCount: '3', hasMore: 'true' });
  });

  test('queryByExample pages through the open orders like /api lists them, field by field', async () => {
    const rest = await restOpenOrders();
    const seen: XmlElement[] = [];
    let after = '';
    for (let page = 0; page < 10; page++) {
      const answer = await query(
        '<top:closedCode>OPEN</top:closedCode>',
        `<top:maxRows>40</top:maxRows>${after === '' ? '' : `<top:afterPoHeaderId>${after}</top:afterPoHeaderId>`}`,
      );
      const page = headers(answer);
      seen.push(...page);
      const status = fields(at(answer.header, 'QueryStatus'));
      expect(status.rowCount).toBe(String(page.length));
      if (status.hasMore === 'false') break;
      after = status.lastPoHeaderId ?? '';
    }
    expect(seen.map((header) => textAt(header, 'segment1'))).toEqual(
      rest.map((order) => String(Number(order.po_number))),
    );
    for (const index of [0, 11, rest.length - 1]) {
      const order = rest[index] ?? {};
      const header = seen[index];
      if (header === undefined) throw new Error(`no header ${index}`);
      expect(columns(header)).toMatchObject({
        poHeaderId: String(Number(order.po_number) - 44_000_000),
        vendorId: String(Number(order.supplier_id)),
        currencyCode: order.currency,
        creationDate: `${isoDateOf(String(order.order_date))}T00:00:00.000Z`,
        lastUpdateDate: order.updated_at,
        attribute1: order.priority,
        comments: String(order.description).trim(),
        authorizationStatus: 'APPROVED',
        closedCode: 'OPEN',
        cancelFlag: 'N',
      });
      // A NULL column is left out of the answer, as a blank note is NULL in NOTE_TO_VENDOR.
      const notes = String(order.notes).trim();
      expect(columns(header).noteToVendor).toBe(notes === '' ? undefined : notes);
      expect(Object.keys(columns(header))).not.toContain('attribute2');
      const lines = Array.isArray(order.lines) ? order.lines : [];
      const poLines = rowsAt(header, 'PoLinesAll', 'poLinesAllCollection');
      expect(poLines).toHaveLength(lines.length);
      lines.forEach((line: Record<string, unknown>, lineIndex: number) => {
        const poLine = poLines[lineIndex] ?? header;
        expect(Number(textAt(poLine, 'lineNum')) * 10).toBe(Number(line.line_no));
        expect(Number(textAt(poLine, 'unitPrice'))).toBe(line.unit_price);
        expect(Number(textAt(poLine, 'quantity')) * 1000).toBe(parseDecimalComma(String(line.quantity), 3));
        expect(textAt(poLine, 'itemDescription')).toBe(String(line.description).trim());
        expect(textAt(poLine, 'poLineLocationsAll', 'needByDate').slice(0, 10)).toBe(
          isoDateOf(String(line.need_by)),
        );
      });
    }
  });

  test('queryByExample matches on the example’s columns: keys, numbers and strings', async () => {
    const [first, second] = await restOpenOrders();
    const byId = headers(
      await query(`<top:poHeaderId>${Number(first?.po_number) - 44_000_000}</top:poHeaderId>`),
    );
    expect(byId.map((header) => textAt(header, 'segment1'))).toEqual([String(Number(first?.po_number))]);
    const bySegment = headers(await query(`<top:segment1>${Number(second?.po_number)}</top:segment1>`));
    expect(bySegment).toHaveLength(1);
    const vendorId = Number(first?.supplier_id);
    const byVendor = headers(
      await query(
        `<top:vendorId>${vendorId}</top:vendorId><top:closedCode>OPEN</top:closedCode>`,
        '<top:maxRows>1000</top:maxRows>',
      ),
    );
    const expected = (await restOpenOrders()).filter((order) => Number(order.supplier_id) === vendorId);
    expect(byVendor.map((header) => textAt(header, 'segment1'))).toEqual(
      expected.map((order) => String(Number(order.po_number))),
    );
  });

  test('queryByExample refuses what it cannot answer, with faults', async () => {
    const unknown = await query('<top:colour>red</top:colour>');
    expect(unknown.status).toBe(500);
    expect(textAt(unknown.body, 'faultcode')).toBe('env:Client');
    const tooMany = await query('', '<top:maxRows>5000</top:maxRows>');
    expect(textAt(tooMany.body, 'faultstring')).toContain('maxRows must be a whole number from 1 to 1000');
  });

  test('UPDATE_PO_HEADER writes with LAST_UPDATE_DATE as its lock; a stale one is an ORA-20001 fault', async () => {
    const [, , order] = await restOpenOrders();
    const poHeaderId = Number(order?.po_number) - 44_000_000;
    const since = await lastLoggedId(sandbox);
    const updated = await update(
      `<upd:P_PO_HEADER_ID>${poHeaderId}</upd:P_PO_HEADER_ID><upd:P_LAST_UPDATE_DATE>${order?.updated_at}</upd:P_LAST_UPDATE_DATE>` +
        '<upd:P_ATTRIBUTE1>1</upd:P_ATTRIBUTE1><upd:P_NOTE_TO_VENDOR>line down - expedite</upd:P_NOTE_TO_VENDOR>',
    );
    expect(updated.status).toBe(200);
    const output = fields(at(updated.body));
    expect(output).toMatchObject({ X_RETURN_STATUS: 'S', X_MSG_COUNT: '0', X_MSG_DATA: '' });
    const rest = await callSandbox(sandbox, `/api/purchase_orders/${order?.po_number}`);
    expect(rest.body).toMatchObject({ priority: '1', updated_at: output.X_LAST_UPDATE_DATE });
    expect(String(records({ data: [rest.body] })[0]?.notes).trim()).toBe('line down - expedite');

    const stale = await update(
      `<upd:P_PO_HEADER_ID>${poHeaderId}</upd:P_PO_HEADER_ID><upd:P_LAST_UPDATE_DATE>${order?.updated_at}</upd:P_LAST_UPDATE_DATE>` +
        '<upd:P_ATTRIBUTE1>2</upd:P_ATTRIBUTE1>',
    );
    expect(stale.status).toBe(500);
    expect(textAt(stale.body, 'faultcode')).toBe('env:Server');
    expect(textAt(stale.body, 'faultstring')).toMatch(
      /^ORA-20001: PO_HEADERS_ALL row PO_HEADER_ID=\d+ was updated by another user/,
    );
    expect((await callSandbox(sandbox, `/api/purchase_orders/${order?.po_number}`)).body).toMatchObject({
      priority: '1',
    });

    const log = (await loggedRequests(sandbox, since)).filter((entry) => entry.path === UPDATE_PATH);
    expect(log.map((entry) => [entry.operation, entry.status, entry.applied, entry.poNumber])).toEqual([
      ['UPDATE_PO_HEADER', 200, true, order?.po_number],
      ['UPDATE_PO_HEADER', 500, false, order?.po_number],
    ]);
  });

  test('UPDATE_PO_HEADER reports business errors in X_RETURN_STATUS, the FND way', async () => {
    const [, , , order] = await restOpenOrders();
    const poHeaderId = Number(order?.po_number) - 44_000_000;
    const badPriority = await update(
      `<upd:P_PO_HEADER_ID>${poHeaderId}</upd:P_PO_HEADER_ID><upd:P_LAST_UPDATE_DATE>${order?.updated_at}</upd:P_LAST_UPDATE_DATE>` +
        '<upd:P_ATTRIBUTE1>9</upd:P_ATTRIBUTE1>',
    );
    expect(fields(at(badPriority.body))).toMatchObject({ X_RETURN_STATUS: 'E', X_MSG_COUNT: '1' });
    expect(textAt(badPriority.body, 'X_MSG_DATA')).toContain('ATTRIBUTE1 (Priority)');
    const unknown = await update('<upd:P_PO_HEADER_ID>999999999</upd:P_PO_HEADER_ID>');
    expect(textAt(unknown.body, 'X_RETURN_STATUS')).toBe('E');
    expect((await callSandbox(sandbox, `/api/purchase_orders/${order?.po_number}`)).body).toMatchObject({
      priority: '3',
    });
  });
  test('DB_QuerySupplierEBS serves the suppliers /api lists, lead time and on-time rate in the DFF', async () => {
    const rest = records((await callSandbox(sandbox, '/api/suppliers?page_size=1000')).body);
    const client = await soap.createClientAsync(`${sandbox.url}${SUPPLIER_PATH}?WSDL`);
    client.addSoapHeader({ QueryControl: { maxRows: 4 } }, '', 'top', EBS_SUPPLIER_TOP_NAMESPACE);
    const [first, , header] = await client.queryByExampleAsync({});
    expect(first.ApSuppliers).toHaveLength(4);
    expect(header.QueryStatus).toMatchObject({ rowCount: '4', hasMore: 'true' });
    const supplier = rest[0] ?? {};
    expect(first.ApSuppliers[0]).toMatchObject({
      vendorId: Number(supplier.supplier_id), // plain node-soap makes xsd:decimal a number
      vendorName: String(supplier.name).trim(),
      segment1: supplier.supplier_id,
      attribute1: String(Number(supplier.lead_time_days)),
      attribute2: String(parseDecimalComma(String(supplier.on_time_pct), 1) / 10),
      apSupplierSitesAllCollection: { ApSupplierSitesAll: [{ country: supplier.country }] },
    });

    const answer = await postSoap(
      `${sandbox.url}${SUPPLIER_PATH}`,
      envelope(
        `<top:ApSuppliers xmlns:top="${EBS_SUPPLIER_TOP_NAMESPACE}"/>`,
        `<top:QueryControl xmlns:top="${EBS_SUPPLIER_TOP_NAMESPACE}"><top:afterVendorId>${Number(rest[3]?.supplier_id)}</top:afterVendorId></top:QueryControl>`,
      ),
    );
    expect(rowsAt(answer.body, 'ApSuppliers').map((row) => textAt(row, 'vendorId'))).toEqual(
      rest.slice(4).map((row) => String(Number(row.supplier_id))),
    );
    const byId = await postSoap(
      `${sandbox.url}${SUPPLIER_PATH}`,
      envelope(
        `<top:ApSuppliers xmlns:top="${EBS_SUPPLIER_TOP_NAMESPACE}"><top:vendorId>${Number(supplier.supplier_id)}</top:vendorId></top:ApSuppliers>`,
      ),
    );
    expect(rowsAt(byId.body, 'ApSuppliers')).toHaveLength(1);
    const unknown = await postSoap(
      `${sandbox.url}${SUPPLIER_PATH}`,
      envelope(
        `<top:ApSuppliers xmlns:top="${EBS_SUPPLIER_TOP_NAMESPACE}"><top:rating>A</top:rating></top:ApSuppliers>`,
      ),
    );
    expect(textAt(unknown.body, 'faultstring')).toContain('ApSuppliers has no column "rating"');
  });
});
