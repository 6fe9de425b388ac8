import { mkdirSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/index.ts';
import type { Connection } from '../src/connectors/contract.ts';
import { BapiError, connectSoap, SoapConnectionConfig } from '../src/connectors/soap/index.ts';
import type { RunReport } from '../src/engine/engine.ts';
import { ErpError } from '../src/errors/index.ts';
import { rejectionOf } from '../src/errors/test-errors.ts';
import { sapEccProfile } from '../src/profiles/sap-ecc/index.ts';
import { type CliContext, openContext } from '../src/runtime/context.ts';
import { sandboxApi, sandboxEnv, tempDir, testSandbox, writeTestConfig } from './support/harness.ts';

/**
 * po-urgency against the sandbox's SAP ECC personality (RFC-SOAP), through the `sap-ecc` binding
 * and profile, next to the same workflow over the sandbox's REST API on the same data.
 */

/** The SAP connectors: one straight to the sandbox, one whose calls lose their session cookie. */
const SAP_CONNECTORS = `connectors:
  sap:
    kind: soap
    binding: sap-ecc
    wsdl: \${SANDBOX_URL}/sap/bc/soap/wsdl11?sap-client=100
    endpoint: \${SANDBOX_URL}/sap/bc/soap/rfc?sap-client=100
    timeoutMs: 10000
  sap-cookieless:
    kind: soap
    binding: sap-ecc
    wsdl: \${SANDBOX_URL}/sap/bc/soap/wsdl11?sap-client=100
    endpoint: \${COOKIELESS_PROXY}/sap/bc/soap/rfc?sap-client=100
    timeoutMs: 10000
    resilience: { retry: { maxAttempts: 1 } }
  sap-session-ends:
    kind: soap
    binding: sap-ecc
    wsdl: \${SANDBOX_URL}/sap/bc/soap/wsdl11?sap-client=100
    endpoint: \${SESSION_ENDING_PROXY}/sap/bc/soap/rfc?sap-client=100
    timeoutMs: 10000
    resilience: { retry: { maxAttempts: 1 } }
`;

/**
 * A proxy in front of the sandbox that breaks SAP sessions: `drop-cookie` removes the Cookie header
 * (every call runs outside the session it opened), `end-session` ends the caller's session just
 * before passing its call on (as an idle timeout or an application server restart would).
 */
async function startSessionBreakingProxy(
  target: string,
  mode: 'drop-cookie' | 'end-session',
): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((incoming, answer) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', async () => {
      const body = Buffer.concat(chunks);
      const url = new URL(incoming.url ?? '/', target);
      const { cookie, ...others } = incoming.headers;
      if (mode === 'end-session' && cookie !== undefined && !url.searchParams.has('sap-sessioncmd')) {
        const ending = new URL(url);
        ending.searchParams.set('sap-sessioncmd', 'close');
        await fetch(ending, { method: 'POST', headers: { 'content-type': 'text/xml', cookie }, body });
      }
      const headers = mode === 'drop-cookie' ? others : incoming.headers;
      const upstream = httpRequest(url, { method: incoming.method, headers }, (reply) => {
        answer.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(answer);
      });
      upstream.on('error', () => answer.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface SoapLogEntry {
  operation: string | null;
  applied: boolean;
  poNumber: string | null;
}

async function soapCalls(sandbox: Sandbox): Promise<SoapLogEntry[]> {
  const response = await fetch(`${sandbox.url}/_sandbox/requests?method=POST`);
  const body = (await response.json()) as { requests: SoapLogEntry[] };
  return body.requests.filter((entry) => entry.operation !== null);
}

describe('po-urgency over SAP ECC RFC-SOAP (sap-ecc binding and profile)', () => {
  let sandbox: Sandbox;
  let cookieless: { url: string; close: () => Promise<void> };
  let sessionEnding: { url: string; close: () => Promise<void> };
  let rest: CliContext;
  let sap: CliContext;
  let restPlan: RunReport;
  let sapPlan: RunReport;
  /** Open orders outside the plan, priority normal, no note: for the binding-level tests, one each. */
  let spare: string[];

  beforeAll(async () => {
    const dir = tempDir('soap-sap-ecc');
    sandbox = await testSandbox(dir, { personality: 'sap-ecc', orders: 300, history: 2000 });
    cookieless = await startSessionBreakingProxy(sandbox.url, 'drop-cookie');
    sessionEnding = await startSessionBreakingProxy(sandbox.url, 'end-session');
    const env = {
      ...sandboxEnv(sandbox),
      COOKIELESS_PROXY: cookieless.url,
      SESSION_ENDING_PROXY: sessionEnding.url,
    };
    for (const name of ['rest', 'sap']) mkdirSync(join(dir, name));
    rest = await openContext({ configFile: writeTestConfig(join(dir, 'rest')), env });
    sap = await openContext({
      configFile: writeTestConfig(join(dir, 'sap'), [
        ['connectors:\n', SAP_CONNECTORS],
        ['connector: sandbox\n    profile: sandbox', 'connector: sap\n    profile: sap-ecc'],
      ]),
      env,
    });
  });

  afterAll(async () => {
    await sap?.close();
    await rest?.close();
    await cookieless?.close();
    await sessionEnding?.close();
    await sandbox?.close();
  });

  it('plans the same changes for the same orders as over REST, and writes nothing', async () => {
    restPlan = await rest.engine.run(rest.workflow('po-urgency'), { dryRun: true, asOf: sandbox.today });
    sapPlan = await sap.engine.run(sap.workflow('po-urgency'), { dryRun: true, asOf: sandbox.today });

    expect(sapPlan.run.stats.read).toBe(300);
    expect(sapPlan.changes).toEqual(restPlan.changes);
    const planned = async (context: CliContext, report: RunReport) =>
      (await context.store.listChanges(report.run.id, { limit: 1000 }))
        .map((change) => ({
          id: change.recordId,
          before: change.before,
          after: change.after,
          state: change.state,
        }))
        .sort((a, b) => a.id.localeCompare(b.id));
    const sapChanges = await planned(sap, sapPlan);
    expect(sapChanges.length).toBeGreaterThan(5);
    expect(sapChanges).toEqual(await planned(rest, restPlan));
    expect((await soapCalls(sandbox)).filter((entry) => entry.applied)).toEqual([]);

    const inPlan = new Set(sapChanges.map((change) => change.id));
    const page = await fetch(`${sandbox.url}/api/purchase_orders?status=open&page_size=1000`, {
      headers: { authorization: `Bearer ${sandbox.apiKey}` },
    });
    const orders = ((await page.json()) as { data: { po_number: string; priority: string; notes: string }[] })
      .data;
    spare = orders
      .filter(
        (order) =>
          !inPlan.has(order.po_number.replace(/^0+/, '')) &&
          order.priority === '3' &&
          order.notes.trim() === '',
      )
      .map((order) => order.po_number)
      .slice(0, 5);
    expect(spare).toHaveLength(5);
  });

  it('applies through BAPI_PO_CHANGE and BAPI_TRANSACTION_COMMIT; a person’s edit since the plan is a conflict', async () => {
    const approved = await sap.store.listChanges(sapPlan.run.id, { states: ['approved'], limit: 1000 });
    const edited = approved.slice(0, 2).map((change) => change.recordId.padStart(10, '0'));
    for (const poNumber of edited) {
      expect((await sandboxApi(sandbox, 'PATCH', poNumber, { priority: '4' })).status).toBe(200);
    }

    const report = await sap.engine.apply(sap.workflow('po-urgency'), sapPlan.run.id);
    expect(report.changes.conflict).toBe(2);
    expect(report.changes.applied).toBe(approved.length - 2);
    const conflicts = await sap.store.listChanges(sapPlan.run.id, { states: ['conflict'] });
    expect(conflicts[0]?.error).toMatch(/expected priority="normal", found priority="low"/);
    for (const poNumber of edited)
      expect((await sandboxApi(sandbox, 'GET', poNumber)).record.priority).toBe('4');

    // One committed write per applied change, each in its own session.
    const commits = (await soapCalls(sandbox)).filter(
      (entry) => entry.operation === 'BAPI_TRANSACTION_COMMIT' && entry.applied,
    );
    expect(commits).toHaveLength(report.changes.applied ?? -1);

    // Read back over SOAP, and seen by /api.
    const connection = await sap.connect('sap');
    for (const change of (
      await sap.store.listChanges(sapPlan.run.id, { states: ['applied'], limit: 3 })
    ).slice(0, 3)) {
      const poNumber = change.recordId.padStart(10, '0');
      const record = await connection.get('PurchaseOrder', poNumber);
      expect(record && sapEccProfile.purchaseOrder.toCanonical(record).priority).toBe('urgent');
      expect((await sandboxApi(sandbox, 'GET', poNumber)).record.priority).toBe('1');
    }

    // The plan's wire view: the same change as the envelopes the binding sends.
    const wire = connection.describeWrite?.({
      entity: 'PurchaseOrder',
      key: '0045000123',
      fields: { OUR_REF: '1' },
    });
    expect(wire).toContain(
      '<tns:BAPI_PO_CHANGE><PURCHASEORDER>0045000123</PURCHASEORDER><POHEADER><OUR_REF>1</OUR_REF></POHEADER><POHEADERX><OUR_REF>X</OUR_REF></POHEADERX></tns:BAPI_PO_CHANGE>',
    );
    expect(wire).toContain('<tns:BAPI_TRANSACTION_COMMIT><WAIT>X</WAIT></tns:BAPI_TRANSACTION_COMMIT>');
  });

  it('a BAPIRET2 error is a BapiError with SAP’s message class, number and text', async () => {
    const connection = await sap.connect('sap');
    const error = await rejectionOf(
      connection.write({ entity: 'PurchaseOrder', key: spare[0] ?? '', fields: { OUR_REF: '9' } }),
      BapiError,
    );
    expect(error).toMatchObject({
      kind: 'validation',
      message:
        'BAPI_PO_CHANGE returned E ZMM/003: Priority "9" in OUR_REF is not valid; use 1 (urgent), 2 (high), 3 (normal) or 4 (low)',
    });
  });

  it('an edit between the re-read and the write, or another session’s lock, is a conflict', async () => {
    const connection = await sap.connect('sap');
    const poNumber = spare[1] ?? '';
    const read = await connection.get('PurchaseOrder', poNumber);
    expect((await sandboxApi(sandbox, 'PATCH', poNumber, { notes: 'call before delivery' })).status).toBe(
      200,
    );
    const stale = await rejectionOf(
      connection.write({
        entity: 'PurchaseOrder',
        key: poNumber,
        fields: { OUR_REF: '1' },
        ifVersion: read?.version ?? null,
      }),
      ErpError,
    );
    expect(stale).toMatchObject({
      kind: 'conflict',
      message: expect.stringMatching(
        new RegExp(`^purchase order ${Number(poNumber)} changed in SAP since it was read`),
      ),
    });

    // Someone else's session has changed the order and not committed yet: SAP's lock (ME 006).
    const other = spare[2] ?? '';
    const locker = await connectSoap(
      SoapConnectionConfig.parse({
        wsdl: `${sandbox.url}/sap/bc/soap/wsdl11?services=BAPI_PO_CHANGE&sap-client=100`,
      }),
    );
    const change = locker.renderRequest('BAPI_PO_CHANGE', {
      PURCHASEORDER: other,
      POHEADER: { OUR_REF: '2' },
      POHEADERX: { OUR_REF: 'X' },
    });
    const rfc = `${sandbox.url}/sap/bc/soap/rfc?sap-client=100`;
    const headers = { 'content-type': 'text/xml; charset=utf-8' };
    const open = await fetch(`${rfc}&sap-sessioncmd=open`, { method: 'POST', headers, body: change });
    const cookie = open.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    try {
      expect(open.status).toBe(200);
      const locked = await rejectionOf(
        connection.write({ entity: 'PurchaseOrder', key: other, fields: { OUR_REF: '1' } }),
        ErpError,
      );
      expect(locked).toMatchObject({
        kind: 'conflict',
        message: expect.stringMatching(
          /is locked: .*ME\/006: User RFC_ERPBR already processing Purchase order/,
        ),
      });
    } finally {
      // The other session ends without a commit: its change is dropped and its lock released.
      await fetch(`${rfc}&sap-sessioncmd=close`, {
        method: 'POST',
        headers: { ...headers, cookie },
        body: change,
      });
      await locker.close();
    }
    expect((await sandboxApi(sandbox, 'GET', other)).record.priority).toBe('3');
  });

  it('a change whose commit never reaches its session fails, naming the missing commit', async () => {
    const connection: Connection = await sap.connect('sap-cookieless');
    const poNumber = spare[3] ?? '';
    const read = await connection.get('PurchaseOrder', poNumber);
    const error = await rejectionOf(
      connection.write({
        entity: 'PurchaseOrder',
        key: poNumber,
        fields: { OUR_REF: '1' },
        ifVersion: read?.version ?? null,
      }),
      ErpError,
    );
    expect(error).toMatchObject({
      kind: 'permanent',
      message:
        `BAPI_TRANSACTION_COMMIT did not write the change to purchase order ${Number(poNumber)}: after the commit OUR_REF is "3", not "1". ` +
        'BAPI_PO_CHANGE accepted it, but the commit found nothing to write — the change was lost before BAPI_TRANSACTION_COMMIT ran in its session',
    });
    expect((await sandboxApi(sandbox, 'GET', poNumber)).record.priority).toBe('3');

    // Through the engine: reverting the applied run over that connector fails change by change.
    const workflow = { ...sap.workflow('po-urgency'), connector: 'sap-cookieless' };
    const revert = await sap.engine.revert(workflow, sapPlan.run.id, 'test:reverter');
    expect(revert.changes.applied ?? 0).toBe(0);
    const failed = await sap.store.listChanges(revert.run.id, { states: ['failed'], limit: 1 });
    expect(failed[0]?.error).toMatch(
      /BAPI_TRANSACTION_COMMIT did not write the change .*: after the commit OUR_REF is "1", not "3"/,
    );
    expect(
      (await sandboxApi(sandbox, 'GET', (failed[0]?.recordId ?? '').padStart(10, '0'))).record.priority,
    ).toBe('1');
  });

  it('a session that ends before the commit is a clear error, and nothing is written', async () => {
    const connection = await sap.connect('sap-session-ends');
    const poNumber = spare[4] ?? '';
    const error = await rejectionOf(
      connection.write({ entity: 'PurchaseOrder', key: poNumber, fields: { OUR_REF: '1' } }),
      ErpError,
    );
    expect(error).toMatchObject({
      message: expect.stringMatching(
        /^Session SAP_SESSIONID_ERP_100 no longer exists \(ended, or idle for too long\); its uncommitted changes are lost/,
      ),
    });
    expect((await sandboxApi(sandbox, 'GET', poNumber)).record.priority).toBe('3');
  });
});
