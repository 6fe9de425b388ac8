import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/index.ts';
import { bindingContext, connectSoap, SoapConnectionConfig } from '../src/connectors/soap/index.ts';
import type { Change } from '../src/engine/change.ts';
import { isErpError } from '../src/errors/index.ts';
import { entityKeyList, readKeyList } from '../src/profiles/dynamics-ax/aif-messages.ts';
import { dynamicsAxBinding, dynamicsAxProfile } from '../src/profiles/dynamics-ax/index.ts';
import { AX_PURCHASE_ORDER_SERVICE } from '../src/profiles/dynamics-ax/soap-binding.ts';
import { sandboxProfile } from '../src/profiles/sandbox/index.ts';
import { type CliContext, openContext } from '../src/runtime/context.ts';
import {
  sandboxApi,
  sandboxEnv,
  sandboxRequests,
  tempDir,
  testSandbox,
  writeTestConfig,
} from './support/harness.ts';

/**
 * po-urgency against the sandbox as Dynamics AX 2012: AIF document services behind NTLM, through
 * `kind: soap, binding: dynamics-ax` and `profile: dynamics-ax`. The same orders, planned the same
 * way as over REST; applied through AIF `update` with RecVersion; read back over SOAP and `/api`.
 */

const ORDER_PORT = '/MicrosoftDynamicsAXAif60/PurchOrderService/xppservice.svc';
const VENDOR_PORT = '/MicrosoftDynamicsAXAif60/VendTableService/xppservice.svc';
const FIXTURE = '/work/shared/fixtures/wsdl/dynamics-ax2012/TEC_STG_PurchOrderService';

/** An erpbridge.yaml whose po-urgency reads the sandbox's AIF services. */
function axConfig(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'erpbridge.yaml');
  writeFileSync(
    file,
    `version: 1
store: { path: ${join(dir, 'erpbridge.sqlite')} }
connectors:
  ax:
    kind: soap
    binding: dynamics-ax
    wsdl: \${AX_URL}${ORDER_PORT}?wsdl
    timeoutMs: 20000
    auth: { kind: ntlm, username: 'CONTOSO\\erpbridge', password: "\${AX_PASSWORD}" }
    options:
      company: USMF
      # The vendor service is opened on the connector's settings: the same NTLM account.
      vendors: { wsdl: "\${AX_URL}${VENDOR_PORT}?wsdl" }
workflows:
  po-urgency:
    connector: ax
    profile: dynamics-ax
    source: { filter: { PurchStatus: Backorder } }
    history: { filter: { PurchStatus: Invoiced } }
    policy: { mode: auto, minConfidence: 0.8 }
`,
  );
  return file;
}

const axEnv = (sandbox: Sandbox, password = 'Sandbox-AX-2012'): NodeJS.ProcessEnv => ({
  ...process.env,
  AX_URL: sandbox.url,
  AX_PASSWORD: password,
});

/** Change id by record, with its before and after: what two plans are compared on. */
const planOf = (changes: readonly Change[]) =>
  Object.fromEntries(
    changes.map((change) => [change.recordId, { before: change.before, after: change.after }]),
  );

/** A canonical order without the ERP's concurrency token, which each surface spells its own way. */
const comparable = ({ version: _version, updatedAt: _updatedAt, ...order }: Record<string, unknown>) => order;

describe('po-urgency against Dynamics AX 2012 (AIF over SOAP, NTLM)', () => {
  let dir: string;
  let sandbox: Sandbox;
  let ax: CliContext;
  let rest: CliContext;

  beforeAll(async () => {
    dir = tempDir('soap-ax');
    sandbox = await testSandbox(dir, { personality: 'dynamics-ax', orders: 300, history: 2000 });
    ax = await openContext({ configFile: axConfig(join(dir, 'ax')), env: axEnv(sandbox) });
    mkdirSync(join(dir, 'rest'));
    rest = await openContext({ configFile: writeTestConfig(join(dir, 'rest')), env: sandboxEnv(sandbox) });
  });

  afterAll(async () => {
    await ax?.close();
    await rest?.close();
    await sandbox?.close();
  });

  it('maps every open order and supplier to the canonical records the REST profile makes', async () => {
    const soap = await ax.connect('ax');
    const http = await rest.connect('sandbox');
    const read = async (connection: typeof soap, entity: string, filter?: Record<string, string>) => {
      const records = [];
      for await (const page of connection.read({ entity, pageSize: 120, ...(filter ? { filter } : {}) }))
        records.push(...page.records);
      return records;
    };
    const axOrders = (await read(soap, 'PurchTable', { PurchStatus: 'Backorder' })).map((record) =>
      dynamicsAxProfile.purchaseOrder.toCanonical(record),
    );
    const restOrders = (await read(http, 'purchase_orders', { status: 'open' })).map((record) =>
      sandboxProfile.purchaseOrder.toCanonical(record),
    );
    expect(axOrders).toHaveLength(300);
    expect(axOrders.map(comparable)).toEqual(restOrders.map(comparable));
    expect(new Set(axOrders.map((order) => order.version)).size).toBe(300);

    // A read resumes after a page's cursor (the last PurchId), with a filter (findKeys) or without (getKeys).
    const pages = [];
    for await (const page of soap.read({
      entity: 'PurchTable',
      filter: { PurchStatus: 'Backorder' },
      pageSize: 120,
    }))
      pages.push(page);
    expect(pages.map((page) => [page.records.length, page.total])).toEqual([
      [120, 300],
      [120, 300],
      [60, 300],
    ]);
    expect(pages.at(-1)?.cursor).toBeNull();
    const cursor = pages[0]?.cursor ?? '';
    expect(cursor).toBe(pages[0]?.records.at(-1)?.key);
    const resumed = [];
    for await (const page of soap.read({
      entity: 'PurchTable',
      filter: { PurchStatus: 'Backorder' },
      pageSize: 120,
      resumeFrom: cursor,
    }))
      resumed.push(...page.records.map((record) => record.key));
    expect(resumed).toEqual(pages.slice(1).flatMap((page) => page.records.map((record) => record.key)));
    const tail = [];
    for await (const page of soap.read({ entity: 'PurchTable', resumeFrom: '0045002280' }))
      tail.push(...page.records);
    expect(tail.map((record) => record.key)).toEqual(
      axOrders.slice(-20).map((order) => order.id.padStart(10, '0')),
    );

    const axSuppliers = (await read(soap, 'VendTable')).map((record) =>
      dynamicsAxProfile.supplier.toCanonical(record),
    );
    const restSuppliers = (await read(http, 'suppliers')).map((record) =>
      sandboxProfile.supplier.toCanonical(record),
    );
    expect(axSuppliers.length).toBeGreaterThan(10);
    expect(axSuppliers).toEqual(restSuppliers);
  });

  it('plans the same changes as over REST, applies them through AIF update, and /api sees them', async () => {
    const axPlan = await ax.engine.run(ax.workflow('po-urgency'), { dryRun: true, asOf: sandbox.today });
    expect(axPlan.run.stats.read).toBe(300);
    expect(axPlan.wrote).toBe(0);
    expect((await sandboxRequests(sandbox)).some((entry) => entry.applied)).toBe(false);
    const restPlan = await rest.engine.run(rest.workflow('po-urgency'), {
      dryRun: true,
      asOf: sandbox.today,
    });

    const axChanges = await ax.store.listChanges(axPlan.run.id, { limit: 1000 });
    const restChanges = await rest.store.listChanges(restPlan.run.id, { limit: 1000 });
    expect(axChanges.length).toBeGreaterThan(5);
    expect(planOf(axChanges)).toEqual(planOf(restChanges));
    expect(axPlan.changes).toEqual(restPlan.changes);

    // A person raises two of the planned orders to "low" in AX before the plan is applied.
    const approved = await ax.store.listChanges(axPlan.run.id, { states: ['approved'], limit: 1000 });
    const edited = approved.slice(0, 2).map((change) => change.recordId.padStart(10, '0'));
    for (const poNumber of edited) {
      expect((await sandboxApi(sandbox, 'PATCH', poNumber, { priority: '4' })).status).toBe(200);
    }

    const applied = await ax.engine.apply(ax.workflow('po-urgency'), axPlan.run.id);
    expect(applied.changes.conflict).toBe(2);
    expect(applied.changes.applied).toBe(approved.length - 2);
    for (const poNumber of edited)
      expect((await sandboxApi(sandbox, 'GET', poNumber)).record.priority).toBe('4');

    // Every applied change was one AIF update that changed the order; read back over SOAP and /api.
    const updates = (await sandboxRequests(sandbox)).filter((entry) => entry.applied);
    expect(updates).toHaveLength(2 + approved.length - 2);
    const soap = await ax.connect('ax');
    for (const change of approved.slice(2, 6)) {
      const poNumber = change.recordId.padStart(10, '0');
      const record = await soap.get('PurchTable', poNumber);
      expect(record?.data.PurchPoolId).toBe('URGENT');
      expect(
        dynamicsAxProfile.purchaseOrder.toCanonical(record ?? { key: '', version: null, data: {} }).priority,
      ).toBe('urgent');
      expect((await sandboxApi(sandbox, 'GET', poNumber)).record.priority).toBe('1');
    }
    // A new plan wants only what is left: the two orders the person changed (now from "low") and
    // the changes that waited for a person.
    const pending = axChanges.filter((change) => change.state === 'pending').map((change) => change.recordId);
    const again = await ax.engine.run(ax.workflow('po-urgency'), { dryRun: true, asOf: sandbox.today });
    const left = await ax.store.listChanges(again.run.id, { limit: 1000 });
    expect(left.map((change) => change.recordId).sort()).toEqual(
      [...edited.map((poNumber) => poNumber.replace(/^0+/, '')), ...pending].sort(),
    );
    for (const change of left) {
      const wasEdited = edited.includes(change.recordId.padStart(10, '0'));
      expect(change.before.priority).toBe(wasEdited ? 'low' : 'normal');
    }
  });

  it('shows the update envelope a change will send, with CallContext and RecVersion, without sending it', async () => {
    const soap = await ax.connect('ax');
    const record = await soap.get('PurchTable', '0045002100');
    const before = (await sandboxRequests(sandbox)).length;
    const wire = soap.describeWrite?.({
      entity: 'PurchTable',
      key: '0045002100',
      fields: dynamicsAxProfile.purchaseOrder.toVendorFields({ priority: 'urgent' }),
      ifVersion: record?.version ?? null,
      idempotencyKey: 'change-1',
    });
    expect(wire).toContain('<ctx:Company>USMF</ctx:Company>');
    expect(wire).toMatch(
      /<ctx:MessageId>[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}<\/ctx:MessageId>/,
    );
    expect(wire).toContain('<ek:Field>PurchId</ek:Field><ek:Value>0045002100</ek:Value>');
    expect(wire).toContain(
      `<doc:PurchTable class="entity" action="update"><doc:PurchPoolId>URGENT</doc:PurchPoolId><doc:RecVersion>${record?.version}</doc:RecVersion></doc:PurchTable>`,
    );
    expect(wire).not.toContain('Sandbox-AX-2012');
    expect(await sandboxRequests(sandbox)).toHaveLength(before);
  });

  it('an edit between read and write is a conflict with AX’s own words; an AifFault is a specific error', async () => {
    const soap = await ax.connect('ax');
    const poNumber = '0045002150';
    const record = await soap.get('PurchTable', poNumber);
    expect(record?.version).toMatch(/^\d+$/);
    expect((await sandboxApi(sandbox, 'PATCH', poNumber, { notes: 'call the supplier' })).status).toBe(200);
    const stale = await soap
      .write({
        entity: 'PurchTable',
        key: poNumber,
        fields: { PurchPoolId: 'HIGH' },
        ifVersion: record?.version ?? null,
      })
      .catch((error: unknown) => error);
    expect(isErpError(stale, 'conflict')).toBe(true);
    expect((stale as Error).message).toBe(
      `PurchTable ${poNumber} changed in AX since it was read: Cannot edit a record in Purchase orders (PurchTable). The values displayed in the form are not current, so an update or deletion cannot be made. To view the current values, on the Command menu, click Restore or press CTRL+F5.`,
    );
    expect((await sandboxApi(sandbox, 'GET', poNumber)).record.priority).toBe('3');

    const current = await soap.get('PurchTable', poNumber);
    const refused = await soap
      .write({
        entity: 'PurchTable',
        key: poNumber,
        fields: { PurchPoolId: 'RUSH' },
        ifVersion: current?.version ?? null,
      })
      .catch((error: unknown) => error);
    expect(isErpError(refused, 'validation')).toBe(true);
    expect((refused as Error).message).toBe(
      `update of PurchTable ${poNumber} refused by AX: The value 'RUSH' in field 'Pool' is not found in the relating table 'Purchase order pools'.`,
    );
    expect(await soap.get('PurchTable', '0099999999')).toBeNull();

    // The CallContext header reaches AX: a company it does not have is its fault, word for word.
    const client = await connectSoap(
      SoapConnectionConfig.parse({
        wsdl: `${sandbox.url}${ORDER_PORT}?wsdl`,
        auth: { kind: 'ntlm', username: 'CONTOSO\\erpbridge', password: 'Sandbox-AX-2012' },
      }),
      { name: 'ax' },
    );
    try {
      const elsewhere = dynamicsAxBinding.open(
        client,
        bindingContext(client, { connector: 'ax', options: { company: 'XYZ' } }),
      );
      const fault = await elsewhere.get('PurchTable', poNumber).catch((error: unknown) => error);
      expect(isErpError(fault, 'validation')).toBe(true);
      expect((fault as Error).message).toBe("Company 'XYZ' does not exist.");
    } finally {
      await client.close();
    }
  });

  it('authenticates a connection once: later calls on it need no NTLM handshake; key lists render as node-soap writes them', async () => {
    const client = await connectSoap(
      SoapConnectionConfig.parse({
        wsdl: `${sandbox.url}${ORDER_PORT}?wsdl`,
        auth: { kind: 'ntlm', username: 'CONTOSO\\erpbridge', password: 'Sandbox-AX-2012' },
      }),
      { name: 'ax' },
    );
    try {
      const callContext = [
        {
          value: { CallContext: { Company: 'USMF' } },
          prefix: 'ctx',
          namespace: 'http://schemas.microsoft.com/dynamics/2010/01/datacontracts',
        },
      ];
      const keys = ['0045002150', '0045002151'];
      await fetch(`${sandbox.url}/_sandbox/requests`, { method: 'DELETE' });
      for (let call = 0; call < 3; call++) {
        await client.call('read', readKeyList(AX_PURCHASE_ORDER_SERVICE, keys), { soapHeaders: callContext });
      }
      const log = await fetch(`${sandbox.url}/_sandbox/requests?method=POST`);
      const statuses = ((await log.json()) as { requests: { status: number }[] }).requests.map(
        (entry) => entry.status,
      );
      // The connection authenticated when the WSDL was read: every call after is answered at once,
      // with no 401 and challenge first.
      expect(statuses).toEqual([200, 200, 200]);
      expect(client.renderRequest('read', readKeyList(AX_PURCHASE_ORDER_SERVICE, keys))).toBe(
        client.renderRequest('read', entityKeyList(AX_PURCHASE_ORDER_SERVICE, keys)),
      );
    } finally {
      await client.close();
    }
  });

  it('a wrong NTLM password is an auth error naming the credentials to check', async () => {
    const context = await openContext({
      configFile: axConfig(join(dir, 'ax-wrong')),
      env: axEnv(sandbox, 'guess'),
    });
    try {
      const failure = await context.connect('ax').catch((error: unknown) => error);
      expect(isErpError(failure, 'auth')).toBe(true);
      expect((failure as Error).message).toMatch(
        /^reading the WSDL: GET http:\/\/127\.0\.0\.1:\d+\/MicrosoftDynamicsAXAif60\/PurchOrderService\/xppservice\.svc\?wsdl answered 401 Unauthorized/,
      );
      expect(isErpError(failure) && failure.context.hint).toBe('check the credentials in connectors.ax.auth');
      expect((failure as Error).message).not.toContain('guess');
    } finally {
      await context.close();
    }
  });

  it('loads the real AX 2012 WSDL set through its Reference.svcmap: the same AIF operations as the sandbox', async (test) => {
    if (!existsSync(join(FIXTURE, 'Reference.svcmap'))) {
      test.skip(`the AX 2012 fixture is not at ${FIXTURE}`);
      return;
    }
    const real = await connectSoap(
      SoapConnectionConfig.parse({
        wsdl: join(FIXTURE, 'RoutingService1.wsdl'),
        svcmap: join(FIXTURE, 'Reference.svcmap'),
        port: 'BasicHttpBinding_TEC_STG_PurchOrderService',
        endpoint: `${sandbox.url}${ORDER_PORT}`,
      }),
      { name: 'tec' },
    );
    const simulated = await connectSoap(
      SoapConnectionConfig.parse({
        wsdl: `${sandbox.url}${ORDER_PORT}?wsdl`,
        auth: { kind: 'ntlm', username: 'CONTOSO\\erpbridge', password: 'Sandbox-AX-2012' },
      }),
      { name: 'ax' },
    );
    try {
      expect(real.operations().sort()).toEqual(simulated.operations().sort());
      // The same AIF messages; only the document differs (the fixture's is a custom one).
      const parameters = (client: typeof real, document: string) =>
        Object.fromEntries(
          (
            client
              .describe()
              .services.flatMap((service) => service.ports)
              .find((port) => port.name === client.port?.port)?.operations ?? []
          ).map((operation) => [
            operation.name,
            (operation.input?.fields ?? [])
              .map((field) => (field.name === document ? '<document>' : field.name))
              .sort(),
          ]),
        );
      expect(parameters(real, 'TEC_STG_PurchOrder')).toEqual(parameters(simulated, 'PurchaseOrder'));
      expect(parameters(simulated, 'PurchaseOrder').update).toEqual(['<document>', 'EntityKeyList']);
      // The binding accepts the real service contract (it checks the operations it needs at open).
      expect(() =>
        dynamicsAxBinding.open(real, bindingContext(real, { connector: 'tec', options: { company: 'dat' } })),
      ).not.toThrow();
    } finally {
      await real.close();
      await simulated.close();
    }
  });
});
