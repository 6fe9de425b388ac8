import soap from 'soap';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Sandbox } from '../index.ts';
import { parseDecimalComma } from '../legacy-format.ts';
import {
  callSandbox,
  lastLoggedId,
  loggedRequests,
  records,
  setFaults,
  startTestSandbox,
} from '../test-support.ts';
import { isoDateOf } from './record-formats.ts';
import { RFC_NAMESPACE } from './sap-rfc-xml.ts';
import { at, envelope, fields, postSoap, rowsAt, type SoapAnswer, textAt } from './soap-test-support.ts';

let sandbox: Sandbox;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ sandbox, stop } = await startTestSandbox({
    personality: 'sap-ecc',
    orders: 120,
    history: 40,
    suppliers: 10,
  }));
});
afterAll(() => stop());

/** Calls a function module with raw XML parameters; `query` starts with `?`, `cookie` continues a session. */
function call(
  fn: string,
  parameters: string,
  options: { query?: string; cookie?: string } = {},
): Promise<SoapAnswer> {
  return postSoap(
    `${sandbox.url}/sap/bc/soap/rfc${options.query ?? ''}`,
    envelope(`<urn:${fn} xmlns:urn="${RFC_NAMESPACE}">${parameters}</urn:${fn}>`),
    { headers: options.cookie === undefined ? {} : { cookie: options.cookie } },
  );
}

/** Opens a stateful session with a first call and returns its cookie header. */
async function openSession(poNumber: string): Promise<string> {
  const answer = await call('BAPI_PO_GETDETAIL1', `<PURCHASEORDER>${poNumber}</PURCHASEORDER>`, {
    query: '?sap-sessioncmd=open&sap-client=100',
  });
  const setCookie = answer.headers['set-cookie'];
  const cookies = (Array.isArray(setCookie) ? setCookie : [setCookie ?? '']).map(
    (cookie) => cookie.split(';')[0],
  );
  expect(cookies.some((cookie) => cookie?.startsWith('SAP_SESSIONID_ERP_100='))).toBe(true);
  return cookies.join('; ');
}

async function restOrder(poNumber: string): Promise<Record<string, unknown>> {
  const answer = await callSandbox(sandbox, `/api/purchase_orders/${poNumber}`);
  expect(answer.status).toBe(200);
  return records({ data: [answer.body] })[0] ?? {};
}

async function openOrderNumbers(): Promise<string[]> {
  const answer = await callSandbox(sandbox, '/api/purchase_orders?status=open&page_size=1000');
  return records(answer.body).map((order) => String(order.po_number));
}

function returnRows(answer: SoapAnswer): Record<string, string>[] {
  return rowsAt(answer.body, 'item', 'RETURN').map(fields);
}

const valuesOf = (value: unknown): unknown[] =>
  typeof value === 'object' && value !== null ? Object.values(value) : [];
const keysOf = (value: unknown): string[] =>
  typeof value === 'object' && value !== null ? Object.keys(value) : [];

const change = (poNumber: string, ourRef: string) =>
  `<PURCHASEORDER>${poNumber}</PURCHASEORDER><POHEADER><OUR_REF>${ourRef}</OUR_REF></POHEADER>` +
  '<POHEADERX><OUR_REF>X</OUR_REF></POHEADERX>';

describe('sap-ecc personality', () => {
  test('publishes a WSDL node-soap loads, with the seven function modules', async () => {
    const listing = await callSandbox({ url: sandbox.url, apiKey: null }, '/_sandbox/wsdl');
    expect(listing.body).toMatchObject({ personality: 'sap-ecc', wsdl: sandbox.wsdl });
    const [wsdl] = sandbox.wsdl;
    expect(wsdl).toBe(`${sandbox.url}/sap/bc/soap/wsdl11?sap-client=100`);
    const client = await soap.createClientAsync(wsdl ?? '');
    const operations = valuesOf(client.describe()).flatMap(valuesOf).flatMap(keysOf);
    expect(operations.sort()).toEqual([
      'BAPI_PO_CHANGE',
      'BAPI_PO_GETDETAIL1',
      'BAPI_PO_GETITEMS',
      'BAPI_TRANSACTION_COMMIT',
      'BAPI_TRANSACTION_ROLLBACK',
      'RFC_READ_TABLE',
      'RFC_READ_TEXT',
    ]);
    const [first] = await openOrderNumbers();
    const [detail] = await client.BAPI_PO_GETDETAIL1Async({ PURCHASEORDER: first, HEADER_TEXT: 'X' });
    expect(detail.POHEADER.PO_NUMBER).toBe(first);
    expect(detail.POHEADER.OUR_REF).toBe('3');
  });

  test('BAPI_PO_GETDETAIL1 reads what /api serves, field by field', async () => {
    const numbers = await openOrderNumbers();
    for (const poNumber of [numbers[0], numbers[7], numbers.at(-1)]) {
      const rest = await restOrder(poNumber ?? '');
      const answer = await call(
        'BAPI_PO_GETDETAIL1',
        `<PURCHASEORDER>${poNumber}</PURCHASEORDER><HEADER_TEXT>X</HEADER_TEXT>`,
      );
      expect(answer.status).toBe(200);
      const header = fields(at(answer.body, 'POHEADER'));
      expect(header).toMatchObject({
        PO_NUMBER: rest.po_number,
        VENDOR: rest.supplier_id,
        DOC_DATE: isoDateOf(String(rest.order_date)),
        CREAT_DATE: isoDateOf(String(rest.order_date)),
        CURRENCY: rest.currency,
        CREATED_BY: String(rest.buyer).trim(),
        OUR_REF: rest.priority,
        DELETE_IND: '',
      });
      const lines = Array.isArray(rest.lines) ? rest.lines : [];
      const items = rowsAt(answer.body, 'item', 'POITEM').map(fields);
      const schedules = rowsAt(answer.body, 'item', 'POSCHEDULE').map(fields);
      expect(items).toHaveLength(lines.length);
      let totalCents = 0;
      lines.forEach((line: Record<string, unknown>, index: number) => {
        const item = items[index] ?? {};
        expect(item).toMatchObject({
          PO_ITEM: line.line_no,
          MATERIAL: line.item_no,
          SHORT_TEXT: String(line.description).trim(),
          PO_UNIT: String(line.uom).trim(),
          NO_MORE_GR: '',
        });
        expect(item.NET_PRICE).toMatch(/^\d+\.\d{9}$/);
        expect(Number(item.NET_PRICE)).toBe(line.unit_price);
        expect(Number(item.QUANTITY) * 1000).toBe(parseDecimalComma(String(line.quantity), 3));
        expect(schedules[index]?.STAT_DATE).toBe(isoDateOf(String(line.need_by)));
        totalCents += Math.round(Number(item.QUANTITY) * Number(item.NET_PRICE) * 100);
      });
      expect(totalCents).toBe(parseDecimalComma(String(rest.total_amount), 2));
      expect(schedules[0]?.STAT_DATE).toBe(isoDateOf(String(rest.need_by)));
      const [d, m, y] = (schedules[0]?.DELIVERY_DATE ?? '').split('.');
      expect(`${y}${m}${d}`).toBe(rest.need_by);
      const notes = rowsAt(answer.body, 'item', 'POTEXTHEADER').map(fields);
      expect(notes.map((row) => row.TEXT_LINE).join('')).toBe(String(rest.notes).trim());
    }
  });

  test('BAPI_PO_GETITEMS pages through the open orders with MAX_ROWS and PO_NUMBER_FROM', async () => {
    const expected = await openOrderNumbers();
    const seen: string[] = [];
    let from = '';
    for (let page = 0; page < 10; page++) {
      const answer = await call(
        'BAPI_PO_GETITEMS',
        `<ITEMS_OPEN_FOR_RECEIPT>X</ITEMS_OPEN_FOR_RECEIPT><WITH_PO_HEADERS>X</WITH_PO_HEADERS><MAX_ROWS>50</MAX_ROWS>` +
          (from === '' ? '' : `<PO_NUMBER_FROM>${from}</PO_NUMBER_FROM>`),
      );
      const headers = rowsAt(answer.body, 'item', 'PO_HEADERS').map(fields);
      const items = rowsAt(answer.body, 'item', 'PO_ITEMS').map(fields);
      expect(new Set(items.map((item) => item.PO_NUMBER))).toEqual(
        new Set(headers.map((header) => header.PO_NUMBER)),
      );
      seen.push(...headers.map((header) => header.PO_NUMBER ?? ''));
      expect(headers.every((header) => header.OUR_REF === '3' && header.VEND_NAME !== '')).toBe(true);
      if (headers.length < 50) break;
      from = String(Number(headers.at(-1)?.PO_NUMBER) + 1).padStart(10, '0');
    }
    expect(seen).toEqual(expected);
  });

  test('the wrapper’s ITEMS_DELIVERY_COMPLETED lists only orders whose items are all delivered', async () => {
    const closed = records(
      (await callSandbox(sandbox, '/api/purchase_orders?status=closed&page_size=1000')).body,
    ).map((order) => String(order.po_number));
    const answer = await call(
      'BAPI_PO_GETITEMS',
      '<ITEMS_DELIVERY_COMPLETED>X</ITEMS_DELIVERY_COMPLETED><WITH_PO_HEADERS>X</WITH_PO_HEADERS>',
    );
    const headers = rowsAt(answer.body, 'item', 'PO_HEADERS').map(fields);
    expect(headers.map((header) => header.PO_NUMBER)).toEqual(closed);
    const items = rowsAt(answer.body, 'item', 'PO_ITEMS').map(fields);
    expect(items.every((item) => item.DEL_COMPL === 'X')).toBe(true);
    const neither = await call(
      'BAPI_PO_GETITEMS',
      '<ITEMS_DELIVERY_COMPLETED>X</ITEMS_DELIVERY_COMPLETED><ITEMS_OPEN_FOR_RECEIPT>X</ITEMS_OPEN_FOR_RECEIPT>',
    );
    expect(rowsAt(neither.body, 'item', 'PO_ITEMS')).toEqual([]);
  });

  test('a change is invisible until BAPI_TRANSACTION_COMMIT in the same session, and locks the order', async () => {
    const [, poNumber = ''] = await openOrderNumbers();
    const since = await lastLoggedId(sandbox);
    const session = await openSession(poNumber);
    const changed = await call('BAPI_PO_CHANGE', change(poNumber, '1'), { cookie: session });
    expect(returnRows(changed)).toEqual([
      expect.objectContaining({
        TYPE: 'S',
        ID: '06',
        NUMBER: '023',
        MESSAGE: `Standard PO ${Number(poNumber)} changed`,
      }),
    ]);
    expect(textAt(changed.body, 'EXPHEADER', 'OUR_REF')).toBe('1');
    expect((await restOrder(poNumber)).priority).toBe('3');
    const reread = await call('BAPI_PO_GETDETAIL1', `<PURCHASEORDER>${poNumber}</PURCHASEORDER>`, {
      cookie: session,
    });
    expect(textAt(reread.body, 'POHEADER', 'OUR_REF')).toBe('3');

    const other = await call('BAPI_PO_CHANGE', change(poNumber, '2'), {
      cookie: await openSession(poNumber),
    });
    expect(returnRows(other)).toEqual([expect.objectContaining({ TYPE: 'E', ID: 'ME', NUMBER: '006' })]);

    const committed = await call('BAPI_TRANSACTION_COMMIT', '<WAIT>X</WAIT>', { cookie: session });
    expect(textAt(committed.body, 'RETURN', 'TYPE')).toBe('');
    expect((await restOrder(poNumber)).priority).toBe('1');

    const log = (await loggedRequests(sandbox, since)).filter((entry) => entry.path === '/sap/bc/soap/rfc');
    expect(log.map((entry) => [entry.operation, entry.applied, entry.poNumber])).toEqual([
      ['BAPI_PO_GETDETAIL1', false, poNumber],
      ['BAPI_PO_CHANGE', false, poNumber],
      ['BAPI_PO_GETDETAIL1', false, poNumber],
      ['BAPI_PO_GETDETAIL1', false, poNumber],
      ['BAPI_PO_CHANGE', false, poNumber],
      ['BAPI_TRANSACTION_COMMIT', true, poNumber],
    ]);
    expect(log.every((entry) => entry.method === 'POST' && entry.status === 200)).toBe(true);
  });

  test('a change is lost without a commit in its own session', async () => {
    const [, , poNumber = ''] = await openOrderNumbers();
    const since = await lastLoggedId(sandbox);
    // Without the session cookie every call is its own session: the commit finds nothing to write.
    expect(returnRows(await call('BAPI_PO_CHANGE', change(poNumber, '1')))[0]).toMatchObject({ TYPE: 'S' });
    await call('BAPI_TRANSACTION_COMMIT', '');
    expect((await restOrder(poNumber)).priority).toBe('3');

    // A session that ends (logoff) takes its uncommitted change with it.
    const session = await openSession(poNumber);
    await call('BAPI_PO_CHANGE', change(poNumber, '2'), { cookie: session });
    await call('BAPI_PO_GETDETAIL1', `<PURCHASEORDER>${poNumber}</PURCHASEORDER>`, {
      cookie: session,
      query: '?sap-sessioncmd=close',
    });
    const late = await call('BAPI_TRANSACTION_COMMIT', '', { cookie: session });
    expect(late.status).toBe(500);
    expect(textAt(late.body, 'faultstring')).toContain('no longer exists');
    expect((await restOrder(poNumber)).priority).toBe('3');
    // The lock went with the session: another session may change the order now.
    const next = await call('BAPI_PO_CHANGE', change(poNumber, '2'), { cookie: await openSession(poNumber) });
    expect(returnRows(next)[0]).toMatchObject({ TYPE: 'S' });
    expect((await loggedRequests(sandbox, since)).filter((entry) => entry.applied)).toEqual([]);
  });

  test('business errors come back as RETURN rows with SAP message classes, not as faults', async () => {
    const [, , , poNumber = ''] = await openOrderNumbers();
    const missing = await call('BAPI_PO_GETDETAIL1', '<PURCHASEORDER>0099999999</PURCHASEORDER>');
    expect(missing.status).toBe(200);
    expect(returnRows(missing)).toEqual([
      expect.objectContaining({
        TYPE: 'E',
        ID: '06',
        NUMBER: '019',
        MESSAGE: 'Document 99999999 does not exist',
      }),
    ]);
    expect(returnRows(await call('BAPI_PO_CHANGE', change(poNumber, '7')))[0]).toMatchObject({
      TYPE: 'E',
      ID: 'ZMM',
      NUMBER: '003',
      FIELD: 'OUR_REF',
    });
    const vendor =
      `<PURCHASEORDER>${poNumber}</PURCHASEORDER><POHEADER><VENDOR>0000100001</VENDOR></POHEADER>` +
      '<POHEADERX><VENDOR>X</VENDOR></POHEADERX>';
    expect(returnRows(await call('BAPI_PO_CHANGE', vendor))[0]).toMatchObject({
      TYPE: 'E',
      ID: 'ZMM',
      NUMBER: '002',
    });

    // Someone else changes the order after this session read it: the change is refused.
    const session = await openSession(poNumber);
    const patched = await callSandbox(sandbox, `/api/purchase_orders/${poNumber}`, {
      method: 'PATCH',
      body: { priority: '2' },
    });
    expect(patched.status).toBe(200);
    const stale = await call('BAPI_PO_CHANGE', change(poNumber, '1'), { cookie: session });
    expect(returnRows(stale)).toEqual([expect.objectContaining({ TYPE: 'E', ID: 'ZMM', NUMBER: '001' })]);
    expect((await restOrder(poNumber)).priority).toBe('2');
  });

  test('header text F01 is the order’s note', async () => {
    const [, , , , poNumber = ''] = await openOrderNumbers();
    const session = await openSession(poNumber);
    const text =
      `<PURCHASEORDER>${poNumber}</PURCHASEORDER><POTEXTHEADER><item><PO_NUMBER>${poNumber}</PO_NUMBER>` +
      '<TEXT_ID>F01</TEXT_ID><TEXT_LINE>EXPEDITE - confirm by phone</TEXT_LINE></item></POTEXTHEADER>';
    expect(returnRows(await call('BAPI_PO_CHANGE', text, { cookie: session }))[0]).toMatchObject({
      TYPE: 'S',
    });
    await call('BAPI_TRANSACTION_COMMIT', '', { cookie: session });
    expect(String((await restOrder(poNumber)).notes).trim()).toBe('EXPEDITE - confirm by phone');
  });

  test('faults hit SOAP calls as reads and writes; a commit whose answer is lost is still applied', async () => {
    const [, , , , , poNumber = ''] = await openOrderNumbers();
    try {
      await setFaults(sandbox, { errors: { rates: { '503': 1 }, target: 'reads' } });
      const since = await lastLoggedId(sandbox);
      const read = await call('BAPI_PO_GETDETAIL1', `<PURCHASEORDER>${poNumber}</PURCHASEORDER>`);
      expect(read.status).toBe(503);
      expect(textAt(read.body, 'faultcode')).toBe('soap-env:Server');
      expect(returnRows(await call('BAPI_PO_CHANGE', change(poNumber, '4')))[0]).toMatchObject({ TYPE: 'S' });
      expect((await loggedRequests(sandbox, since)).map((entry) => entry.fault)).toEqual(['error-503', null]);

      await setFaults(sandbox, {});
      const session = await openSession(poNumber);
      await call('BAPI_PO_CHANGE', change(poNumber, '1'), { cookie: session });
      await setFaults(sandbox, { lostAnswers: { rate: 1, mode: '502' } });
      const lostSince = await lastLoggedId(sandbox);
      const commit = await call('BAPI_TRANSACTION_COMMIT', '', { cookie: session });
      expect(commit.status).toBe(502);
      expect((await loggedRequests(sandbox, lostSince))[0]).toMatchObject({
        operation: 'BAPI_TRANSACTION_COMMIT',
        applied: true,
        fault: 'lost-502',
        status: 502,
      });
    } finally {
      await setFaults(sandbox, {});
    }
    expect((await restOrder(poNumber)).priority).toBe('1');
  });

  test('RFC_READ_TABLE reads the vendor view as fixed-width rows, with SAP exceptions as faults', async () => {
    const suppliers = records((await callSandbox(sandbox, '/api/suppliers?page_size=1000')).body);
    const read = await call(
      'RFC_READ_TABLE',
      '<QUERY_TABLE>ZERPBR_VENDOR</QUERY_TABLE><ROWSKIPS>1</ROWSKIPS><ROWCOUNT>2</ROWCOUNT>' +
        '<FIELDS><item><FIELDNAME>LIFNR</FIELDNAME></item><item><FIELDNAME>PLIFZ</FIELDNAME></item>' +
        '<item><FIELDNAME>OTDPCT</FIELDNAME></item></FIELDS>',
    );
    expect(read.status).toBe(200);
    expect(rowsAt(read.body, 'item', 'FIELDS').map(fields)).toEqual([
      expect.objectContaining({ FIELDNAME: 'LIFNR', OFFSET: '000000', LENGTH: '000010', TYPE: 'C' }),
      expect.objectContaining({ FIELDNAME: 'PLIFZ', OFFSET: '000010', LENGTH: '000003', TYPE: 'P' }),
      expect.objectContaining({ FIELDNAME: 'OTDPCT', OFFSET: '000013', LENGTH: '000005', TYPE: 'P' }),
    ]);
    const rows = rowsAt(read.body, 'item', 'DATA').map((row) => fields(row).WA ?? '');
    const second = suppliers[1] ?? {};
    expect(rows).toHaveLength(2);
    expect(rows[0]).toBe(
      `${second.supplier_id}${String(second.lead_time_days).padStart(3)}${String(second.on_time_pct).padStart(5)}`,
    );

    const one = await call(
      'RFC_READ_TABLE',
      `<QUERY_TABLE>ZERPBR_VENDOR</QUERY_TABLE><OPTIONS><item><TEXT>LIFNR = '${second.supplier_id}'</TEXT></item></OPTIONS>`,
    );
    expect(rowsAt(one.body, 'item', 'DATA').map((row) => (fields(row).WA ?? '').slice(0, 10))).toEqual([
      second.supplier_id,
    ]);

    const unknown = await call('RFC_READ_TABLE', '<QUERY_TABLE>LFA1</QUERY_TABLE>');
    expect(unknown.status).toBe(500);
    expect(textAt(unknown.body, 'faultstring')).toBe('TABLE_NOT_AVAILABLE');
    const badWhere = await call(
      'RFC_READ_TABLE',
      "<QUERY_TABLE>ZERPBR_VENDOR</QUERY_TABLE><OPTIONS><item><TEXT>LIFNR LIKE '1%'</TEXT></item></OPTIONS>",
    );
    expect(textAt(badWhere.body, 'faultstring')).toBe('OPTION_NOT_VALID');
  });

  test('RFC_READ_TABLE reads EKET: the schedule lines of a PO number range, need-by dates as DATS', async () => {
    const numbers = await openOrderNumbers();
    const [first, second] = numbers;
    const read = await call(
      'RFC_READ_TABLE',
      '<QUERY_TABLE>EKET</QUERY_TABLE><DELIMITER>|</DELIMITER>' +
        `<OPTIONS><item><TEXT>EBELN GE '${first}'</TEXT></item><item><TEXT> AND EBELN LE '${second}'</TEXT></item></OPTIONS>` +
        '<FIELDS><item><FIELDNAME>EBELN</FIELDNAME></item><item><FIELDNAME>EBELP</FIELDNAME></item>' +
        '<item><FIELDNAME>ETENR</FIELDNAME></item><item><FIELDNAME>SLFDT</FIELDNAME></item></FIELDS>',
    );
    expect(read.status).toBe(200);
    const rows = rowsAt(read.body, 'item', 'DATA').map((row) => (fields(row).WA ?? '').split('|'));
    const expected: string[][] = [];
    for (const poNumber of [first, second]) {
      const order = await restOrder(poNumber ?? '');
      const lines = Array.isArray(order.lines) ? order.lines : [];
      for (const line of lines)
        expected.push([poNumber ?? '', String(line.line_no), '0001', String(line.need_by)]);
    }
    expect(rows).toEqual(expected);
    const badOperator = await call(
      'RFC_READ_TABLE',
      "<QUERY_TABLE>EKET</QUERY_TABLE><OPTIONS><item><TEXT>EBELN BETWEEN '1' AND '2'</TEXT></item></OPTIONS>",
    );
    expect(textAt(badOperator.body, 'faultstring')).toBe('OPTION_NOT_VALID');
  });

  test('RFC_READ_TEXT answers the lines of the header notes that exist, in the keys’ order', async () => {
    const numbers = await openOrderNumbers();
    const withNote: string[] = [];
    const withoutNote: string[] = [];
    for (const poNumber of numbers.slice(0, 30)) {
      const notes = String((await restOrder(poNumber)).notes).trim();
      if (notes === '') withoutNote.push(poNumber);
      else withNote.push(poNumber);
    }
    const [noted, other] = [withNote[0] ?? '', withoutNote[0] ?? ''];
    const key = (name: string, id = 'F01') =>
      `<item><TDOBJECT>EKKO</TDOBJECT><TDNAME>${name}</TDNAME><TDID>${id}</TDID><TDSPRAS>E</TDSPRAS></item>`;
    const read = await call(
      'RFC_READ_TEXT',
      `<TEXT_LINES>${key(noted)}${key(other)}${key(noted, 'F02')}</TEXT_LINES>`,
    );
    expect(read.status).toBe(200);
    expect(rowsAt(read.body, 'item', 'TEXT_LINES').map(fields)).toEqual([
      expect.objectContaining({
        TDOBJECT: 'EKKO',
        TDNAME: noted,
        TDID: 'F01',
        COUNTER: '001',
        TDFORMAT: '*',
        TDLINE: String((await restOrder(noted)).notes).trim(),
      }),
    ]);
  });

  test('RFC_READ_TEXT finds the notes of keys far apart as well as of a page’s', async () => {
    const numbers = await openOrderNumbers();
    const far = [numbers[0] ?? '', numbers.at(-1) ?? ''];
    expect(Number(far[1]) - Number(far[0])).toBeGreaterThan(8);
    const key = (name: string) =>
      `<item><TDOBJECT>EKKO</TDOBJECT><TDNAME>${name}</TDNAME><TDID>F01</TDID><TDSPRAS>E</TDSPRAS></item>`;
    const read = await call('RFC_READ_TEXT', `<TEXT_LINES>${far.map(key).join('')}</TEXT_LINES>`);
    const expected: Record<string, string>[] = [];
    for (const poNumber of far) {
      const notes = String((await restOrder(poNumber)).notes).trim();
      if (notes !== '') expected.push({ TDNAME: poNumber, TDLINE: notes });
    }
    expect(
      rowsAt(read.body, 'item', 'TEXT_LINES')
        .map(fields)
        .map((row) => ({ TDNAME: row.TDNAME ?? '', TDLINE: row.TDLINE ?? '' })),
    ).toEqual(expected);
  });

  test('a logon, once set, is required on every function endpoint and WSDL, until it is cleared', async () => {
    const logon = (method: string, body?: unknown) =>
      fetch(`${sandbox.url}/_sandbox/logon`, {
        method,
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
    expect((await logon('POST', { user: 'a:b', password: 'x' })).status).toBe(400);
    expect(await (await logon('POST', { user: 'RFC_ERPBR', password: 'Init-1234' })).json()).toEqual({
      required: true,
      user: 'RFC_ERPBR',
    });
    try {
      const anonymous = await call('BAPI_TRANSACTION_COMMIT', '');
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers['www-authenticate']).toBe(
        'Basic realm="SAP NetWeaver Application Server [ERP/100]"',
      );
      expect((await fetch(`${sandbox.url}/sap/bc/soap/wsdl11?sap-client=100`)).status).toBe(401);
      const basic = (password: string) => `Basic ${Buffer.from(`rfc_erpbr:${password}`).toString('base64')}`;
      const wrong = await postSoap(
        `${sandbox.url}/sap/bc/soap/rfc`,
        envelope(`<urn:BAPI_TRANSACTION_COMMIT xmlns:urn="${RFC_NAMESPACE}"/>`),
        { headers: { authorization: basic('guess') } },
      );
      expect(wrong.status).toBe(401);
      const right = await postSoap(
        `${sandbox.url}/sap/bc/soap/rfc`,
        envelope(`<urn:BAPI_TRANSACTION_COMMIT xmlns:urn="${RFC_NAMESPACE}"/>`),
        { headers: { authorization: basic('Init-1234') } },
      );
      expect(right.status).toBe(200);
    } finally {
      expect(await (await logon('DELETE')).json()).toEqual({ required: false, user: null });
    }
    expect((await call('BAPI_TRANSACTION_COMMIT', '')).status).toBe(200);
  });
});
