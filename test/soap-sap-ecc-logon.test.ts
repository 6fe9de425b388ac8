import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/index.ts';
import type { PurchaseOrder } from '../src/canonical/index.ts';
import type { Connection, VendorRecord } from '../src/connectors/contract.ts';
import { connectConnector } from '../src/connectors/registry.ts';
import { connectSoap, SoapConnectionConfig } from '../src/connectors/soap/index.ts';
import { isErpError } from '../src/errors/index.ts';
import { sandboxProfile } from '../src/profiles/sandbox/index.ts';
import { headerTextArguments } from '../src/profiles/sap-ecc/header-texts.ts';
import { sapEccProfile } from '../src/profiles/sap-ecc/index.ts';
import { sandboxApi, tempDir, testSandbox } from './support/harness.ts';

/**
 * The sap-ecc binding against a system that requires a logon on every function endpoint (and on
 * its WSDL), as a real SAP's ICF does: the connection's basic auth reaches every call — each
 * function module on its own WSDL port, the session commands of a write included. And the bulk
 * read (GETITEMS + EKET + RFC_READ_TEXT) gives the very records GETDETAIL1 gives.
 */

const LOGON = { user: 'RFC_ERPBR', password: 'Init-1234!' };

interface LoggedCall {
  operation: string | null;
  status: number;
  query: Record<string, string>;
}

async function soapCalls(sandbox: Sandbox): Promise<LoggedCall[]> {
  const response = await fetch(`${sandbox.url}/_sandbox/requests?method=POST`);
  const body = (await response.json()) as { requests: LoggedCall[] };
  return body.requests.filter((entry) => entry.operation !== null || entry.status === 401);
}

function sapConnector(sandbox: Sandbox, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'soap',
    binding: 'sap-ecc',
    wsdl: `${sandbox.url}/sap/bc/soap/wsdl11?sap-client=100`,
    endpoint: `${sandbox.url}/sap/bc/soap/rfc?sap-client=100`,
    timeoutMs: 10_000,
    resilience: { retry: { maxAttempts: 1 } },
    ...extra,
  };
}

async function readAll(connection: Connection, entity: string, filter?: Record<string, string>) {
  const records: VendorRecord[] = [];
  for await (const page of connection.read({ entity, ...(filter ? { filter } : {}), pageSize: 40 })) {
    records.push(...page.records);
  }
  return records;
}

describe('sap-ecc against a system that requires a logon', () => {
  let sandbox: Sandbox;
  let sap: Connection;

  beforeAll(async () => {
    sandbox = await testSandbox(tempDir('soap-sap-logon'), {
      personality: 'sap-ecc',
      orders: 120,
      history: 80,
    });
    const set = await fetch(`${sandbox.url}/_sandbox/logon`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(LOGON),
    });
    expect(await set.json()).toEqual({ required: true, user: LOGON.user });
    sap = await connectConnector(
      'sap',
      sapConnector(sandbox, { auth: { kind: 'basic', username: LOGON.user, password: LOGON.password } }),
      {},
    );
  });

  afterAll(async () => {
    await sap?.close();
    await sandbox?.close();
  });

  it('without credentials the WSDL is refused: an auth error saying to configure them', async () => {
    const failure = await connectConnector('sap-anonymous', sapConnector(sandbox), {}).catch(
      (error: unknown) => error,
    );
    expect(isErpError(failure, 'auth')).toBe(true);
    expect((failure as Error).message).toMatch(
      /^reading the WSDL: GET http:\/\/127\.0\.0\.1:\d+\/sap\/bc\/soap\/wsdl11\?sap-client=100 answered 401 Unauthorized/,
    );
  });

  it('reads every order and vendor with the logon, each function module on its own port', async () => {
    const open = await readAll(sap, 'PurchaseOrder', { status: 'open' });
    expect(open).toHaveLength(120);
    const vendors = await readAll(sap, 'Vendor');
    expect(vendors.length).toBeGreaterThan(10);
    // The same orders as /api, field for field in canonical form.
    const mapped = new Map(
      open.map((record) => [record.key, sapEccProfile.purchaseOrder.toCanonical(record)]),
    );
    for (const poNumber of [...mapped.keys()].slice(0, 5)) {
      const rest = await sandboxApi(sandbox, 'GET', poNumber);
      const viaRest = sandboxProfile.purchaseOrder.toCanonical({
        key: poNumber,
        version: String(rest.record.updated_at),
        data: rest.record,
      });
      const viaSap = mapped.get(poNumber) as PurchaseOrder;
      const comparable = (order: PurchaseOrder) => ({ ...order, version: null, updatedAt: null });
      expect(comparable(viaSap)).toEqual(comparable(viaRest));
    }
    const calls = await soapCalls(sandbox);
    expect(new Set(calls.map((call) => call.operation))).toEqual(
      new Set(['BAPI_PO_GETITEMS', 'RFC_READ_TABLE', 'RFC_READ_TEXT']),
    );
    expect(calls.filter((call) => call.status !== 200)).toEqual([]);
  });

  it('reads in bulk what GETDETAIL1 reads one by one: the same data, the same versions', async () => {
    const bulk = await readAll(sap, 'PurchaseOrder', { status: 'closed' });
    expect(bulk.length).toBeGreaterThan(50);
    const perOrder = await connectConnector(
      'sap-per-order',
      sapConnector(sandbox, {
        auth: { kind: 'basic', username: LOGON.user, password: LOGON.password },
        options: { readDetails: 'per-order', detailConcurrency: 4 },
      }),
      {},
    );
    try {
      const detailed = await readAll(perOrder, 'PurchaseOrder', { status: 'closed' });
      expect(detailed.map((record) => [record.key, record.version])).toEqual(
        bulk.map((record) => [record.key, record.version]),
      );
      expect(detailed.map((record) => sapEccProfile.purchaseOrder.toCanonical(record))).toEqual(
        bulk.map((record) => sapEccProfile.purchaseOrder.toCanonical(record)),
      );
      for (const record of bulk.slice(0, 3)) {
        expect((await sap.get('PurchaseOrder', record.key))?.version).toBe(record.version);
      }
    } finally {
      await perOrder.close();
    }
  });

  it('writes with the logon: session open and close, the change and the commit all authenticated', async () => {
    const [order] = await readAll(sap, 'PurchaseOrder', { status: 'open' });
    if (order === undefined) throw new Error('no open order');
    await fetch(`${sandbox.url}/_sandbox/requests`, { method: 'DELETE' });
    const result = await sap.write({
      entity: 'PurchaseOrder',
      key: order.key,
      fields: { OUR_REF: '1' },
      ifVersion: order.version,
    });
    expect(result.record && sapEccProfile.purchaseOrder.toCanonical(result.record).priority).toBe('urgent');
    expect((await sandboxApi(sandbox, 'GET', order.key)).record.priority).toBe('1');
    const calls = await soapCalls(sandbox);
    expect(calls.map((call) => [call.operation, call.status, call.query['sap-sessioncmd'] ?? ''])).toEqual([
      ['BAPI_TRANSACTION_ROLLBACK', 200, 'open'],
      ['BAPI_PO_GETDETAIL1', 200, ''],
      ['BAPI_PO_CHANGE', 200, ''],
      ['BAPI_TRANSACTION_COMMIT', 200, ''],
      ['BAPI_PO_GETDETAIL1', 200, ''],
      ['BAPI_TRANSACTION_ROLLBACK', 200, 'close'],
    ]);
  });

  it('renders RFC_READ_TEXT key rows as node-soap would; a wrong password is an auth error', async () => {
    const client = await connectSoap(
      SoapConnectionConfig.parse({
        wsdl: `${sandbox.url}/sap/bc/soap/wsdl11?services=RFC_READ_TEXT&sap-client=100`,
        endpoint: `${sandbox.url}/sap/bc/soap/rfc?sap-client=100`,
        auth: { kind: 'basic', username: LOGON.user, password: LOGON.password },
      }),
      { name: 'sap' },
    );
    try {
      // The key rows written as XML (`$xml`) are the envelope node-soap writes from the rows.
      const keys = [{ poNumber: '0045000001', language: 'E' }];
      const rows = {
        TEXT_LINES: { item: [{ TDOBJECT: 'EKKO', TDNAME: '0045000001', TDID: 'F01', TDSPRAS: 'E' }] },
      };
      expect(client.renderRequest('RFC_READ_TEXT', headerTextArguments(keys))).toBe(
        client.renderRequest('RFC_READ_TEXT', rows),
      );
    } finally {
      await client.close();
    }
    const wrong = await connectConnector(
      'sap-wrong',
      sapConnector(sandbox, { auth: { kind: 'basic', username: LOGON.user, password: 'guess' } }),
      {},
    ).catch((error: unknown) => error);
    expect(isErpError(wrong, 'auth')).toBe(true);
    expect((wrong as Error).message).not.toContain('guess');
  });
});
