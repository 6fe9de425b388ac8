import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUYERS } from '../sandbox/catalogue.ts';
import type { Sandbox } from '../sandbox/index.ts';
import type { Connection, VendorRecord } from '../src/connectors/contract.ts';
import { SoapConnectorConfig, soapConnector } from '../src/connectors/soap/soap-connector.ts';
import type { Change } from '../src/engine/change.ts';
import { ConfigError, ErpError } from '../src/errors/index.ts';
import { rejectionOf } from '../src/errors/test-errors.ts';
import { profiles } from '../src/profiles/index.ts';
import { type CliContext, openContext } from '../src/runtime/context.ts';
import { sandboxApi, sandboxEnv, tempDir, testSandbox } from './support/harness.ts';

/**
 * po-urgency against the sandbox's Oracle E-Business Suite personality, over SOAP: reads through
 * the database-adapter query, writes through the ISG PL/SQL API, and plans exactly what the same
 * workflow plans over the sandbox's REST API for the same orders.
 */

const QUERY = '/soa-infra/services/default/PurchaseOrderEBS/DB_QueryPurchaseOrderEBS';
const UPDATE = '/webservices/SOAProvider/plsql/xx_po_header_pub/';
const SUPPLIERS = '/soa-infra/services/default/SupplierEBS/DB_QuerySupplierEBS';
/** The real database-adapter WSDL a composite is built from (abstract: bound through JCA). */
const ADAPTER_WSDL = resolve(
  import.meta.dirname,
  '../../shared/fixtures/wsdl/oracle-ebs/DB_QueryPurchaseOrderEBS/DB_QueryPurchaseOrderEBS.wsdl',
);

/** The sandbox's units of measure by code, as its oracle-ebs personality names them. */
const UNIT_NAMES: Readonly<Record<string, string>> = { EA: 'Each', KG: 'Kilogram', M: 'Meter', PC: 'Piece' };

/** The sandbox's buyers by name → their AGENT_ID in the oracle-ebs personality (25001 onwards). */
const AGENT_IDS = new Map<string, string>(BUYERS.map((buyer, index) => [buyer, String(25_001 + index)]));

/** One erpbridge.yaml with both connectors; `profile` picks the workflow's side. */
function writeConfig(dir: string, name: string, side: 'rest' | 'soap'): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `version: 1
store: { path: ${join(dir, `${name}.sqlite`)} }
connectors:
  rest:
    kind: rest
    baseUrl: \${SANDBOX_URL}
    auth: { kind: bearer, token: "\${SANDBOX_API_KEY}" }
    pagination: { style: page, pageParam: page, sizeParam: page_size, pageSize: 500, itemsPath: data, totalPath: total }
    entities:
      purchase_orders: { path: /api/purchase_orders, keyField: po_number, versionField: updated_at, write: { method: PATCH } }
      suppliers: { path: /api/suppliers, keyField: supplier_id }
  ebs:
    kind: soap
    binding: oracle-ebs
    wsdl: \${SANDBOX_URL}${UPDATE}?wsdl
    options:
      query: { wsdl: "\${SANDBOX_URL}${QUERY}?WSDL" }
      suppliers: { wsdl: "\${SANDBOX_URL}${SUPPLIERS}?WSDL" }
      soaHeader: { Responsibility: PURCHASING_SUPER_USER, RespApplication: PO, Org_Id: 204 }
workflows:
  po-urgency:
    connector: ${side === 'rest' ? 'rest' : 'ebs'}
    profile: ${side === 'rest' ? 'sandbox' : 'oracle-ebs'}
    policy: { mode: auto, minConfidence: 0.8 }
`,
  );
  return file;
}

/** What a plan decided, comparable across profiles: which order, from what, to what. */
function decisions(changes: readonly Change[]): string[] {
  return changes
    .map((change) => `${change.recordId} ${JSON.stringify(change.before)} → ${JSON.stringify(change.after)}`)
    .sort();
}

interface LoggedCall {
  path: string;
  operation: string | null;
  status: number;
  applied: boolean;
  poNumber: string | null;
}

async function soapCalls(sandbox: Sandbox): Promise<LoggedCall[]> {
  const response = await fetch(`${sandbox.url}/_sandbox/requests?method=POST`);
  const body = (await response.json()) as { requests: LoggedCall[] };
  return body.requests.filter((entry) => entry.operation !== null);
}

/** The records of a read, up to `limit` (whole pages). */
async function readAll(
  connection: Connection,
  entity: string,
  filter: Record<string, string>,
  limit = Number.POSITIVE_INFINITY,
): Promise<VendorRecord[]> {
  const records: VendorRecord[] = [];
  for await (const page of connection.read({ entity, filter, pageSize: 500 })) {
    records.push(...page.records);
    if (records.length >= limit) break;
  }
  return records;
}

describe('po-urgency over SOAP against the oracle-ebs personality', () => {
  let dir: string;
  let sandbox: Sandbox;
  let rest: CliContext;
  let soap: CliContext;

  beforeAll(async () => {
    dir = tempDir('soap-oracle-ebs');
    sandbox = await testSandbox(dir, { personality: 'oracle-ebs', orders: 300, history: 2000 });
    rest = await openContext({ configFile: writeConfig(dir, 'rest', 'rest'), env: sandboxEnv(sandbox) });
    soap = await openContext({ configFile: writeConfig(dir, 'soap', 'soap'), env: sandboxEnv(sandbox) });
  });

  afterAll(async () => {
    await soap?.close();
    await rest?.close();
    await sandbox?.close();
  });

  it('maps every order and supplier to the canonical records the REST profile makes', async () => {
    const [restConnection, ebsConnection] = await Promise.all([rest.connect('rest'), soap.connect('ebs')]);
    const sandboxProfile = profiles.sandbox;
    const ebsProfile = profiles['oracle-ebs'];
    // Every open order; the first 500 of the closed history (the plan below trains on all of it).
    for (const [status, limit] of [
      ['open', Number.POSITIVE_INFINITY],
      ['closed', 500],
    ] as const) {
      const fromRest = (await readAll(restConnection, 'purchase_orders', { status }, limit)).map((record) =>
        sandboxProfile.purchaseOrder.toCanonical(record),
      );
      const fromEbs = (await readAll(ebsConnection, 'PO_HEADERS_ALL', { status }, limit)).map((record) =>
        ebsProfile.purchaseOrder.toCanonical(record),
      );
      expect(fromEbs.map((order) => order.id)).toEqual(fromRest.map((order) => order.id));
      fromEbs.forEach((order, index) => {
        const other = fromRest[index];
        if (other === undefined) throw new Error(`no REST order ${index}`);
        // What EBS spells differently, by nature: line numbers 1, 2 (not 10, 20), units of
        // measure by name, the buyer as AGENT_ID, and its own version token.
        expect(order.lines.map((line) => line.lineNumber * 10)).toEqual(
          other.lines.map((line) => line.lineNumber),
        );
        expect(order.lines.map((line) => line.uom)).toEqual(other.lines.map((line) => UNIT_NAMES[line.uom]));
        expect(order.buyer).toBe(AGENT_IDS.get(other.buyer));
        expect(order.version).toBe(`${Number(order.id) - 44_000_000}@${other.updatedAt}`);
        const same = (value: typeof order) => ({
          ...value,
          buyer: '',
          version: '',
          lines: value.lines.map((line) => ({ ...line, lineNumber: 0, uom: '' })),
        });
        expect(same(order)).toEqual(same(other));
      });
      expect(fromEbs).toHaveLength(status === 'open' ? 300 : 500);
    }
    const suppliers = async (connection: Connection, entity: string, mapping: typeof ebsProfile.supplier) =>
      (await readAll(connection, entity, {})).map((record) => mapping.toCanonical(record));
    expect(await suppliers(ebsConnection, 'AP_SUPPLIERS', ebsProfile.supplier)).toEqual(
      await suppliers(restConnection, 'suppliers', sandboxProfile.supplier),
    );
  });

  it('plans the same changes as over REST; apply writes them with UPDATE_PO_HEADER, a concurrent edit is a conflict', async () => {
    const restPlan = await rest.engine.run(rest.workflow('po-urgency'), {
      dryRun: true,
      asOf: sandbox.today,
    });
    const ebsPlan = await soap.engine.run(soap.workflow('po-urgency'), { dryRun: true, asOf: sandbox.today });
    expect(ebsPlan.run.stats.read).toBe(restPlan.run.stats.read);
    const restChanges = await rest.store.listChanges(restPlan.run.id, { limit: 10_000 });
    const ebsChanges = await soap.store.listChanges(ebsPlan.run.id, { limit: 10_000 });
    expect(ebsChanges.length).toBeGreaterThan(5);
    expect(decisions(ebsChanges)).toEqual(decisions(restChanges));
    expect(ebsChanges.map((change) => change.state).sort()).toEqual(
      restChanges.map((change) => change.state).sort(),
    );
    expect((await soapCalls(sandbox)).filter((call) => call.operation === 'UPDATE_PO_HEADER')).toEqual([]);

    // A buyer sets one of the planned orders to high in EBS between plan and apply.
    const approved = ebsChanges.filter((change) => change.state === 'approved');
    const [edited, ...others] = approved;
    if (edited === undefined) throw new Error('the plan approved nothing');
    const editedNumber = edited.recordId.padStart(10, '0');
    expect((await sandboxApi(sandbox, 'PATCH', editedNumber, { priority: '2' })).status).toBe(200);

    const applied = await soap.engine.apply(soap.workflow('po-urgency'), ebsPlan.run.id);
    expect(applied.changes).toMatchObject({ applied: others.length, conflict: 1 });
    expect(applied.changes.failed ?? 0).toBe(0);
    expect((await soap.store.getChange(edited.id))?.error).toMatch(/changed in the ERP since the plan/);
    expect((await sandboxApi(sandbox, 'GET', editedNumber)).record.priority).toBe('2');

    const writes = (await soapCalls(sandbox)).filter((call) => call.operation === 'UPDATE_PO_HEADER');
    expect(writes.every((call) => call.path === UPDATE && call.status === 200 && call.applied)).toBe(true);
    expect(writes.map((call) => call.poNumber).sort()).toEqual(
      others.map((change) => change.recordId.padStart(10, '0')).sort(),
    );
    const ebs = await soap.connect('ebs');
    for (const change of others.slice(0, 5)) {
      const readBack = await ebs.get('PO_HEADERS_ALL', change.recordId);
      if (readBack === null) throw new Error(`order ${change.recordId} is gone`);
      const order = profiles['oracle-ebs'].purchaseOrder.toCanonical(readBack);
      expect(order.priority).toBe('urgent');
      expect(order.version).not.toBe(change.version);
      const api = await sandboxApi(sandbox, 'GET', change.recordId.padStart(10, '0'));
      expect(api.record).toMatchObject({ priority: '1', updated_at: order.updatedAt });
    }
  });

  it('continues a read interrupted by 503s from the last PO_HEADER_ID, without a gap or a repeat', async () => {
    const faults = (method: 'POST' | 'DELETE', body?: unknown) =>
      fetch(`${sandbox.url}/_sandbox/faults`, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const ebs = await soap.connect('ebs');
    const expected = (await readAll(ebs, 'PO_HEADERS_ALL', { status: 'open' })).map((record) => record.key);
    expect(
      (await faults('POST', { seed: 3, errors: { rates: { '503': 0.3 }, target: 'reads' } })).status,
    ).toBe(200);
    try {
      const keys: string[] = [];
      for await (const page of ebs.read({
        entity: 'PO_HEADERS_ALL',
        filter: { status: 'open' },
        pageSize: 40,
      })) {
        keys.push(...page.records.map((record) => record.key));
      }
      expect(keys).toEqual(expected);
      const refused = (await soapCalls(sandbox)).filter(
        (call) => call.operation === 'queryByExample' && call.status === 503,
      );
      expect(refused.length).toBeGreaterThan(0);
    } finally {
      await faults('DELETE');
    }
  });

  it('renders the UPDATE_PO_HEADER envelope a change would send, without sending it', async () => {
    const ebs = await soap.connect('ebs');
    const [record] = await readAll(ebs, 'PO_HEADERS_ALL', { status: 'open', segment1: '45002001' });
    if (record === undefined) throw new Error('order 45002001 is not open');
    const before = (await soapCalls(sandbox)).length;
    const envelope = ebs.describeWrite?.({
      entity: 'PO_HEADERS_ALL',
      key: record.key,
      fields: profiles['oracle-ebs'].purchaseOrder.toVendorFields({ priority: 'urgent' }),
      ifVersion: record.version,
    });
    const [poHeaderId, lastUpdateDate] = (record.version ?? '').split('@');
    expect(envelope).toContain(`<upd:P_PO_HEADER_ID>${poHeaderId}</upd:P_PO_HEADER_ID>`);
    expect(envelope).toContain(`<upd:P_LAST_UPDATE_DATE>${lastUpdateDate}</upd:P_LAST_UPDATE_DATE>`);
    expect(envelope).toContain('<upd:P_ATTRIBUTE1>1</upd:P_ATTRIBUTE1>');
    expect(envelope).toContain('<isg:Responsibility>PURCHASING_SUPER_USER</isg:Responsibility>');
    expect((await soapCalls(sandbox)).length).toBe(before);
  });

  it('turns a SOAP fault and an X_RETURN_STATUS E into clear, specific errors', async () => {
    const ebs = await soap.connect('ebs');
    const fault = await rejectionOf(readAll(ebs, 'PO_HEADERS_ALL', { COLOUR: 'red' }), ErpError);
    expect(fault.kind).toBe('validation');
    expect(fault.message).toBe('PoHeadersAll has no column "colour" this service can query.');

    const record = await ebs.get('PO_HEADERS_ALL', '45002002');
    if (record === null) throw new Error('order 45002002 is missing');
    const refused = await rejectionOf(
      ebs.write({
        entity: 'PO_HEADERS_ALL',
        key: record.key,
        fields: { attribute1: '9' },
        ifVersion: record.version,
      }),
      ErpError,
    );
    expect(refused.kind).toBe('validation');
    expect(refused.message).toMatch(
      /^UPDATE_PO_HEADER refused purchase order 45002002 \(PO_HEADER_ID 1002002\): ATTRIBUTE1 \(Priority\) must be 1 \(urgent\)/,
    );
    expect(refused.context).toMatchObject({ connector: 'ebs', entity: 'PO_HEADERS_ALL', key: '45002002' });
  });

  it('an edit between the re-read and the write is EBS’s ORA-20001, a conflict; the person’s value stays', async () => {
    const ebs = await soap.connect('ebs');
    const read = await ebs.get('PO_HEADERS_ALL', '45002003');
    if (read === null) throw new Error('order 45002003 is missing');
    const { priority } = (await sandboxApi(sandbox, 'GET', '0045002003')).record;
    expect(
      (await sandboxApi(sandbox, 'PATCH', '0045002003', { notes: 'buyer called the supplier' })).status,
    ).toBe(200);
    const stale = await rejectionOf(
      ebs.write({
        entity: 'PO_HEADERS_ALL',
        key: read.key,
        fields: { attribute1: '1' },
        ifVersion: read.version,
      }),
      ErpError,
    );
    expect(stale.kind).toBe('conflict');
    expect(stale.message).toMatch(
      /^UPDATE_PO_HEADER refused purchase order 45002003 \(PO_HEADER_ID 1002003\): ORA-20001: PO_HEADERS_ALL row PO_HEADER_ID=1002003 was updated by another user since it was queried/,
    );
    expect(stale.context).toMatchObject({ connector: 'ebs', entity: 'PO_HEADERS_ALL', key: '45002003' });
    expect((await sandboxApi(sandbox, 'GET', '0045002003')).record).toMatchObject({
      priority,
      notes: expect.stringMatching(/^buyer called the supplier/),
    });
  });
  it('refuses a connector pointed at the wrong services, saying which to give', async () => {
    const connect = (wsdl: string, query: string) =>
      soapConnector.connect(
        SoapConnectorConfig.parse({
          kind: 'soap',
          binding: 'oracle-ebs',
          wsdl,
          options: { query: { wsdl: query }, suppliers: { wsdl: `${sandbox.url}${SUPPLIERS}?WSDL` } },
        }),
        { name: 'ebs', env: {} },
      );
    const swapped = await connect(`${sandbox.url}${QUERY}?WSDL`, `${sandbox.url}${UPDATE}?wsdl`).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(swapped).toBeInstanceOf(ConfigError);
    expect(swapped).toMatchObject({ key: 'connectors.ebs.wsdl' });
    expect(String(swapped)).toMatch(
      /must be the ISG service with UPDATE_PO_HEADER \(XX_PO_HEADER_PUB\); it offers queryByExample/,
    );
    if (!existsSync(ADAPTER_WSDL)) return;
    const connection = await connect(`${sandbox.url}${UPDATE}?wsdl`, ADAPTER_WSDL);
    try {
      const abstract = await readAll(connection, 'PO_HEADERS_ALL', { status: 'open' }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(abstract).toBeInstanceOf(ConfigError);
      expect(abstract).toMatchObject({ key: 'connectors.ebs.options.query.wsdl' });
      expect(String(abstract)).toMatch(
        /the database adapter's abstract WSDL \(bound through DB_QueryPurchaseOrderEBS_db.jca\); give the deployed composite's concrete WSDL/,
      );
    } finally {
      await connection.close();
    }
  });
});
