import soap from 'soap';
import type { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Sandbox } from '../index.ts';
import { parseDecimalComma } from '../legacy-format.ts';
import { callSandbox, lastLoggedId, loggedRequests, records, startTestSandbox } from '../test-support.ts';
import { AIF_FAULT_NAMESPACE, AX_FRAMEWORK_NAMESPACE, UPDATE_CONFLICT_MESSAGE } from './ax-fault.ts';
import {
  AX_DOCUMENT_NAMESPACE,
  AX_SERVICES_NAMESPACE,
  DOCUMENT_PAGING_NAMESPACE,
  ENTITY_KEY_LIST_NAMESPACE,
  ENTITY_KEY_NAMESPACE,
  QUERY_CRITERIA_NAMESPACE,
} from './ax-wsdl.ts';
import { DEFAULT_WINDOWS_ACCOUNT } from './personality.ts';
import { isoDateOf } from './record-formats.ts';
import {
  at,
  envelope,
  fields,
  ntlmAuthenticate,
  ntlmNegotiate,
  postSoap,
  postWithNtlm,
  rowsAt,
  type SoapAnswer,
  singleConnection,
  textAt,
} from './soap-test-support.ts';
import { childrenNamed, type XmlElement } from './xml-document.ts';

let sandbox: Sandbox;
let stop: () => Promise<void>;
let connection: Agent;
const account = { ...DEFAULT_WINDOWS_ACCOUNT };
const PATH = '/MicrosoftDynamicsAXAif60/PurchOrderService/xppservice.svc';
const VENDOR_PATH = '/MicrosoftDynamicsAXAif60/VendTableService/xppservice.svc';
const endpoint = () => `${sandbox.url}${PATH}`;

function request(operation: string, content: string): string {
  const element = `PurchaseOrderService${operation[0]?.toUpperCase()}${operation.slice(1)}Request`;
  return envelope(`<svc:${element} xmlns:svc="${AX_SERVICES_NAMESPACE}">${content}</svc:${element}>`);
}

const byPurchId = (purchId: string) =>
  `<QueryCriteria xmlns="${QUERY_CRITERIA_NAMESPACE}"><CriteriaElement><DataSourceName>PurchTable</DataSourceName>` +
  `<FieldName>PurchId</FieldName><Operator>Equal</Operator><Value1>${purchId}</Value1></CriteriaElement></QueryCriteria>`;

const keyList = (...purchIds: string[]) =>
  `<EntityKeyList xmlns="${ENTITY_KEY_LIST_NAMESPACE}">${purchIds
    .map(
      (id) =>
        `<EntityKey xmlns="${ENTITY_KEY_NAMESPACE}"><KeyData><KeyField><Field>PurchId</Field><Value>${id}</Value></KeyField></KeyData></EntityKey>`,
    )
    .join('')}</EntityKeyList>`;

/** A call on the test's authenticated connection. */
function call(operation: string, content: string): Promise<SoapAnswer> {
  return postSoap(endpoint(), request(operation, content), { dispatcher: connection });
}

function purchTables(answer: SoapAnswer): XmlElement[] {
  expect(answer.status).toBe(200);
  return childrenNamed(at(answer.body, 'PurchaseOrder'), 'PurchTable', AX_DOCUMENT_NAMESPACE);
}

/** The infolog messages of an AifFault answer. */
function infolog(answer: SoapAnswer): string[] {
  expect(answer.status).toBe(500);
  expect(textAt(answer.body, 'faultstring')).toBe('Request Failed. See the Exception Log for details.');
  const fault = at(answer.body, 'detail', 'AifFault');
  expect(fault.namespace).toBe(AIF_FAULT_NAMESPACE);
  return childrenNamed(at(fault, 'InfologMessageList'), 'InfologMessage', AX_FRAMEWORK_NAMESPACE).map(
    (message) => textAt(message, 'Message'),
  );
}

async function restOrders(query: string): Promise<Record<string, unknown>[]> {
  return records((await callSandbox(sandbox, `/api/purchase_orders?${query}`)).body);
}

beforeAll(async () => {
  ({ sandbox, stop } = await startTestSandbox({
    personality: 'dynamics-ax',
    orders: 120,
    history: 40,
    suppliers: 10,
  }));
  connection = singleConnection();
  const first = await postWithNtlm(
    endpoint(),
    request(
      'getKeys',
      `<DocumentPaging xmlns="${DOCUMENT_PAGING_NAMESPACE}"><PageSize>1</PageSize></DocumentPaging>`,
    ),
    account,
    connection,
  );
  expect(first.status).toBe(200);
});
afterAll(async () => {
  await connection.close();
  await stop();
});

describe('dynamics-ax personality: Windows authentication (NTLM)', () => {
  test('no credentials → 401 NTLM; NEGOTIATE → a challenge; the right password → 200, for that connection only', async () => {
    const dispatcher = singleConnection();
    try {
      const since = await lastLoggedId(sandbox);
      const xml = request('findKeys', byPurchId('0045000001'));
      const anonymous = await postSoap(endpoint(), xml, { dispatcher });
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers['www-authenticate']).toBe('NTLM');
      const challenged = await postSoap(endpoint(), xml, {
        dispatcher,
        headers: { authorization: `NTLM ${ntlmNegotiate()}` },
      });
      expect(challenged.status).toBe(401);
      const challenge = String(challenged.headers['www-authenticate']);
      expect(challenge).toMatch(/^NTLM [A-Za-z0-9+/=]{60,}$/);
      const answered = await postSoap(endpoint(), xml, {
        dispatcher,
        headers: { authorization: `NTLM ${ntlmAuthenticate(challenge, account)}` },
      });
      expect(answered.status).toBe(200);
      // NTLM authenticates the connection: the next request on it needs no Authorization header…
      expect((await postSoap(endpoint(), xml, { dispatcher })).status).toBe(200);
      // …and another connection is a stranger again.
      expect((await postSoap(endpoint(), xml)).status).toBe(401);
      const log = (await loggedRequests(sandbox, since)).filter((entry) => entry.path === PATH);
      expect(log.map((entry) => [entry.status, entry.operation])).toEqual([
        [401, null],
        [401, null],
        [200, 'findKeys'],
        [200, 'findKeys'],
        [401, null],
      ]);
    } finally {
      await dispatcher.close();
    }
  });

  test('a wrong password → 401, and the WSDL is behind NTLM too', async () => {
    const dispatcher = singleConnection();
    try {
      const wrong = await postWithNtlm(
        endpoint(),
        request('findKeys', byPurchId('0045000001')),
        { ...account, password: 'guess' },
        dispatcher,
      );
      expect(wrong.status).toBe(401);
      expect(wrong.headers['www-authenticate']).toBe('NTLM');
      expect((await fetch(sandbox.wsdl[0] ?? '')).status).toBe(401);
    } finally {
      await dispatcher.close();
    }
  });

  test('node-soap loads the WSDL over NTLM, lists the AIF operations, and finds an order', async () => {
    const wsdl = `${sandbox.url}${PATH}?wsdl`;
    expect(sandbox.wsdl).toEqual([wsdl, `${sandbox.url}${VENDOR_PATH}?wsdl`]);
    const credentials = { username: account.user, password: account.password, domain: account.domain };
    const client = await soap.createClientAsync(wsdl, { wsdl_options: { ntlm: true, ...credentials } });
    client.setSecurity(new soap.NTLMSecurity(credentials));
    expect(
      Object.keys(client.describe().RoutingService.BasicHttpBinding_PurchaseOrderService).sort(),
    ).toEqual(['create', 'delete', 'find', 'findKeys', 'getChangedKeys', 'getKeys', 'read', 'update']);
    const [found] = await client.findAsync({
      QueryCriteria: {
        CriteriaElement: [
          { DataSourceName: 'PurchTable', FieldName: 'PurchId', Operator: 'Equal', Value1: '0045000041' },
        ],
      },
    });
    expect(found.PurchaseOrder.PurchTable[0]).toMatchObject({ PurchId: '0045000041', PurchPoolId: 'NORMAL' });
  });
});

describe('dynamics-ax personality: the AIF document service', () => {
  test('find and read serve what /api serves, field by field', async () => {
    const open = await restOrders('status=open&page_size=1000');
    const picked = [open[0], open[5], open.at(-1)].map((order) => String(order?.po_number));
    const found = purchTables(await call('find', byPurchId(picked[1] ?? '')));
    expect(found.map((table) => textAt(table, 'PurchId'))).toEqual([picked[1]]);
    const read = purchTables(await call('read', keyList(...picked)));
    expect(read.map((table) => textAt(table, 'PurchId'))).toEqual(picked);
    read.forEach((table, index) => {
      const order = open.find((candidate) => candidate.po_number === picked[index]) ?? {};
      expect(
        fields({ ...table, children: table.children.filter((child) => child.children.length === 0) }),
      ).toMatchObject({
        PurchId: order.po_number,
        OrderAccount: order.supplier_id,
        CurrencyCode: order.currency,
        DeliveryDate: isoDateOf(String(order.need_by)),
        AccountingDate: isoDateOf(String(order.order_date)),
        PurchStatus: 'Backorder',
        PurchPoolId: 'NORMAL',
        WorkerPurchPlacer: String(order.buyer).trim(),
      });
      const notes = rowsAt(table, 'DocuRefHeader').map((note) => textAt(note, 'Notes'));
      expect(notes.join('')).toBe(String(order.notes).trim());
      const lines = rowsAt(table, 'PurchLine').map(fields);
      const restLines = Array.isArray(order.lines) ? order.lines : [];
      expect(lines).toHaveLength(restLines.length);
      let totalCents = 0;
      restLines.forEach((line: Record<string, unknown>, lineIndex: number) => {
        const purchLine = lines[lineIndex] ?? {};
        expect(Number(purchLine.LineNumber) * 10).toBe(Number(line.line_no));
        expect(purchLine.Name).toBe(String(line.description).trim());
        expect(Number(purchLine.PurchPrice)).toBe(line.unit_price);
        expect(Number(purchLine.PurchQty) * 1000).toBe(parseDecimalComma(String(line.quantity), 3));
        expect(purchLine.DeliveryDate).toBe(isoDateOf(String(line.need_by)));
        totalCents += Math.round(Number(purchLine.LineAmount) * 100);
      });
      expect(totalCents).toBe(parseDecimalComma(String(order.total_amount), 2));
    });
  });

  test('getKeys pages through every order with a bookmark, in /api’s order', async () => {
    const all = await restOrders('page_size=1000');
    const keys: string[] = [];
    let bookmark = '';
    for (let page = 0; page < 20; page++) {
      const answer = await call(
        'getKeys',
        `<DocumentPaging xmlns="${DOCUMENT_PAGING_NAMESPACE}">${bookmark === '' ? '' : `<Bookmark>${bookmark}</Bookmark>`}<PageSize>50</PageSize></DocumentPaging>`,
      );
      const keyPage = at(answer.body, 'EntityKeyPage');
      keys.push(
        ...rowsAt(keyPage, 'EntityKey', 'EntityKeyList').map((key) =>
          textAt(key, 'KeyData', 'KeyField', 'Value'),
        ),
      );
      expect(textAt(keyPage, 'PageStatus')).toBe('Success');
      const paging = childrenNamed(keyPage, 'DocumentPaging', DOCUMENT_PAGING_NAMESPACE)[0];
      if (paging === undefined) break;
      bookmark = textAt(paging, 'Bookmark');
    }
    expect(keys).toEqual(all.map((order) => order.po_number));
  });

  test('update changes the pool on the current RecVersion; a stale RecVersion is an AifFault', async () => {
    const [order] = await restOrders('status=open&page_size=2&page=2');
    const purchId = String(order?.po_number);
    const before = new Date(Date.now() - 1000).toISOString();
    const [table] = purchTables(await call('read', keyList(purchId)));
    const recVersion = textAt(table ?? null, 'RecVersion');
    const document = (version: string, pool: string) =>
      `${keyList(purchId)}<PurchaseOrder xmlns="${AX_DOCUMENT_NAMESPACE}"><PurchTable class="entity" action="update">` +
      `<PurchId>${purchId}</PurchId><PurchPoolId>${pool}</PurchPoolId><RecVersion>${version}</RecVersion>` +
      `<DocuRefHeader class="entity"><Notes>rush order</Notes></DocuRefHeader></PurchTable></PurchaseOrder>`;
    const since = await lastLoggedId(sandbox);
    const updated = await call('update', document(recVersion, 'URGENT'));
    expect(updated.status).toBe(200);
    expect(updated.body?.local).toBe('PurchaseOrderServiceUpdateResponse');
    const rest = await callSandbox(sandbox, `/api/purchase_orders/${purchId}`);
    expect(rest.body).toMatchObject({ priority: '1' });
    expect(String(records({ data: [rest.body] })[0]?.notes).trim()).toBe('rush order');

    expect(infolog(await call('update', document(recVersion, 'LOW')))).toEqual([UPDATE_CONFLICT_MESSAGE]);
    expect(
      infolog(
        await call(
          'update',
          document(
            textAt(purchTables(await call('read', keyList(purchId)))[0] ?? null, 'RecVersion'),
            'SOON',
          ),
        ),
      ),
    ).toEqual([
      "The value 'SOON' in field 'Pool' is not found in the relating table 'Purchase order pools'.",
    ]);
    expect((await callSandbox(sandbox, `/api/purchase_orders/${purchId}`)).body).toMatchObject({
      priority: '1',
    });
    const log = (await loggedRequests(sandbox, since)).filter((entry) => entry.operation === 'update');
    expect(log.map((entry) => [entry.status, entry.applied, entry.poNumber])).toEqual([
      [200, true, purchId],
      [500, false, purchId],
      [500, false, purchId],
    ]);

    const changed = await call(
      'getChangedKeys',
      `<DocumentPaging xmlns="${DOCUMENT_PAGING_NAMESPACE}"><PageSize>10</PageSize></DocumentPaging>` +
        `<svc:_changedDateTime xmlns:svc="${AX_SERVICES_NAMESPACE}">${before}</svc:_changedDateTime>`,
    );
    const changedKeys = rowsAt(at(changed.body, 'EntityKeyPage'), 'EntityKey', 'EntityKeyList');
    expect(changedKeys.map((key) => textAt(key, 'KeyData', 'KeyField', 'Value'))).toEqual([purchId]);
  });

  test('errors are AifFaults with the infolog: unknown keys, bad criteria, operations the sandbox lacks', async () => {
    expect(infolog(await call('read', keyList('0099999999')))).toEqual([
      'No valid document identified from the entity key.',
    ]);
    const badField = byPurchId('1').replace('PurchId', 'Colour');
    expect(infolog(await call('find', badField))).toEqual([
      'Field Colour does not exist in table PurchTable.',
    ]);
    expect(infolog(await call('create', '')).join(' ')).toContain('The operation create is not supported');
    const range = await call(
      'findKeys',
      `<QueryCriteria xmlns="${QUERY_CRITERIA_NAMESPACE}"><CriteriaElement><DataSourceName>PurchTable</DataSourceName>` +
        '<FieldName>PurchId</FieldName><Operator>Range</Operator><Value1>0045000041</Value1><Value2>0045000043</Value2>' +
        '</CriteriaElement></QueryCriteria>',
    );
    expect(
      rowsAt(at(range.body, 'EntityKeyList'), 'EntityKey').map((key) =>
        textAt(key, 'KeyData', 'KeyField', 'Value'),
      ),
    ).toEqual(['0045000041', '0045000042', '0045000043']);
  });
});

describe('dynamics-ax personality: the vendor service (VendTableService)', () => {
  const vendorCall = (operation: string, content: string) => {
    const name = `VendTableService${operation[0]?.toUpperCase()}${operation.slice(1)}Request`;
    const xml = envelope(`<svc:${name} xmlns:svc="${AX_SERVICES_NAMESPACE}">${content}</svc:${name}>`);
    return postSoap(`${sandbox.url}${VENDOR_PATH}`, xml, { dispatcher: connection });
  };
  const accountKeys = (...accounts: string[]) =>
    `<EntityKeyList xmlns="${ENTITY_KEY_LIST_NAMESPACE}">${accounts
      .map(
        (account) =>
          `<EntityKey xmlns="${ENTITY_KEY_NAMESPACE}"><KeyData><KeyField><Field>AccountNum</Field><Value>${account}</Value></KeyField></KeyData></EntityKey>`,
      )
      .join('')}</EntityKeyList>`;

  test('getKeys pages every vendor and read serves /api’s suppliers with their figures', async () => {
    const suppliers = records((await callSandbox(sandbox, '/api/suppliers?page_size=1000')).body);
    const keys: string[] = [];
    let bookmark = '';
    for (let page = 0; page < 10; page++) {
      const paging = `<DocumentPaging xmlns="${DOCUMENT_PAGING_NAMESPACE}">${bookmark ? `<Bookmark>${bookmark}</Bookmark>` : ''}<PageSize>4</PageSize></DocumentPaging>`;
      const answer = await vendorCall('getKeys', paging);
      expect(answer.status).toBe(200);
      const keyPage = at(answer.body, 'EntityKeyPage');
      keys.push(
        ...rowsAt(keyPage, 'EntityKey', 'EntityKeyList').map((key) =>
          textAt(key, 'KeyData', 'KeyField', 'Value'),
        ),
      );
      const next = childrenNamed(keyPage, 'DocumentPaging', DOCUMENT_PAGING_NAMESPACE)[0];
      if (next === undefined) break;
      bookmark = textAt(next, 'Bookmark');
    }
    expect(keys).toEqual(suppliers.map((supplier) => supplier.supplier_id));

    const [first] = suppliers;
    const read = await vendorCall('read', accountKeys(String(first?.supplier_id)));
    expect(read.status).toBe(200);
    const table = at(read.body, 'Vendor', 'VendTable');
    expect(textAt(table, 'AccountNum')).toBe(first?.supplier_id);
    expect(Number(textAt(table, 'LeadTime'))).toBe(Number(first?.lead_time_days));
    expect(Number(textAt(table, 'OnTimeDeliveryPct'))).toBe(
      parseDecimalComma(String(first?.on_time_pct), 1) / 10,
    );
    expect(textAt(table, 'DirParty', 'Name')).toBe(String(first?.name).trim());
    expect(textAt(table, 'DirParty', 'DirPartyPostalAddressView', 'CountryRegionId')).toBe(first?.country);
  });

  test('errors are AifFaults: an unknown vendor, a field VendTable lacks', async () => {
    expect(infolog(await vendorCall('read', accountKeys('0000000001')))).toEqual([
      'No valid document identified from the entity key.',
    ]);
    const criteria = `<QueryCriteria xmlns="${QUERY_CRITERIA_NAMESPACE}"><CriteriaElement><DataSourceName>VendTable</DataSourceName><FieldName>Colour</FieldName><Operator>Equal</Operator><Value1>red</Value1></CriteriaElement></QueryCriteria>`;
    expect(infolog(await vendorCall('findKeys', criteria))).toEqual([
      'Field Colour does not exist in table VendTable.',
    ]);
  });
});
