import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Sandbox } from '../index.ts';
import { callSandbox, lastLoggedId, loggedRequests, setFaults, startTestSandbox } from '../test-support.ts';
import { DEFAULT_WINDOWS_ACCOUNT } from './personality.ts';
import { RFC_NAMESPACE } from './sap-rfc-xml.ts';
import { SOAP_BODY_LIMIT } from './soap-routes.ts';
import { envelope, postSoap, postWithNtlm, singleConnection, textAt } from './soap-test-support.ts';

const small = { orders: 30, history: 10, suppliers: 5 };
const sandboxes: Array<{ stop: () => Promise<void> }> = [];
let sap: Sandbox;
let ax: Sandbox;

beforeAll(async () => {
  const [sapStarted, axStarted] = await Promise.all([
    startTestSandbox({ ...small, personality: 'sap-ecc' }),
    startTestSandbox({ ...small, personality: 'dynamics-ax' }),
  ]);
  sandboxes.push(sapStarted, axStarted);
  sap = sapStarted.sandbox;
  ax = axStarted.sandbox;
});
afterAll(() => Promise.all(sandboxes.map((started) => started.stop())));

const rfc = () => `${sap.url}/sap/bc/soap/rfc`;
const detail = (poNumber: string) =>
  envelope(
    `<urn:BAPI_PO_GETDETAIL1 xmlns:urn="${RFC_NAMESPACE}"><PURCHASEORDER>${poNumber}</PURCHASEORDER></urn:BAPI_PO_GETDETAIL1>`,
  );

const BILLION_LAUGHS =
  '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>' +
  `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>` +
  `<urn:BAPI_PO_GETDETAIL1 xmlns:urn="${RFC_NAMESPACE}"><PURCHASEORDER>&lol2;</PURCHASEORDER></urn:BAPI_PO_GETDETAIL1>` +
  '</soapenv:Body></soapenv:Envelope>';

describe('SOAP protocol refusals', () => {
  test('a DOCTYPE (entity expansion, external entities) is refused with a Client fault and logged', async () => {
    const since = await lastLoggedId(sap);
    for (const xml of [
      BILLION_LAUGHS,
      `<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${detail('&xxe;')}`,
    ]) {
      const answer = await postSoap(rfc(), xml);
      expect(answer.status).toBe(500);
      expect(textAt(answer.body, 'faultcode')).toBe('soap-env:Client');
      expect(textAt(answer.body, 'faultstring')).toContain(
        'document type declarations (DTDs) are not allowed',
      );
    }
    const undeclared = await postSoap(rfc(), detail('&xxe;'));
    expect(textAt(undeclared.body, 'faultstring')).toContain('entity reference &xxe; is not allowed');
    expect(
      (await loggedRequests(sap, since)).map((entry) => [entry.status, entry.operation, entry.applied]),
    ).toEqual([
      [500, null, false],
      [500, null, false],
      [500, null, false],
    ]);
  });

  test('behind NTLM too, once the connection is authenticated', async () => {
    const dispatcher = singleConnection();
    try {
      const answer = await postWithNtlm(
        `${ax.url}/MicrosoftDynamicsAXAif60/PurchOrderService/xppservice.svc`,
        BILLION_LAUGHS,
        DEFAULT_WINDOWS_ACCOUNT,
        dispatcher,
      );
      expect(answer.status).toBe(500);
      expect(textAt(answer.body, 'faultcode')).toBe('s:Client');
      expect(textAt(answer.body, 'faultstring')).toContain('DTDs) are not allowed');
    } finally {
      await dispatcher.close();
    }
  });

  test('an oversized request is a 413 fault; a wrong media type a 415 fault', async () => {
    const padding = `<!--${'x'.repeat(SOAP_BODY_LIMIT)}-->`;
    const big = await postSoap(rfc(), `${detail('0045000001')}${padding}`);
    expect(big.status).toBe(413);
    expect(textAt(big.body, 'faultstring')).toContain(
      `larger than this endpoint accepts (${SOAP_BODY_LIMIT} bytes)`,
    );
    const json = await postSoap(rfc(), '{"PURCHASEORDER":"0045000001"}', { contentType: 'application/json' });
    expect(json.status).toBe(415);
    expect(textAt(json.body, 'faultcode')).toBe('soap-env:Client');
  });

  test('SOAP 1.2, an unknown function module, and GET without ?wsdl are refused', async () => {
    const soap12 = await postSoap(
      rfc(),
      '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><x/></e:Body></e:Envelope>',
      { contentType: 'application/soap+xml' },
    );
    expect(textAt(soap12.body, 'faultcode')).toBe('soap-env:VersionMismatch');
    const unknown = await postSoap(rfc(), envelope(`<urn:Z_NOT_THERE xmlns:urn="${RFC_NAMESPACE}"/>`));
    expect(textAt(unknown.body, 'faultstring')).toContain('Function module "Z_NOT_THERE" not found');
    const get = await fetch(rfc());
    expect(get.status).toBe(405);
  });

  test('/api keeps working beside SOAP, and injected maintenance reaches SOAP calls with Retry-After', async () => {
    const rest = await callSandbox(sap, '/api/purchase_orders?status=open&page_size=1');
    expect(rest.status).toBe(200);
    const window = await callSandbox({ url: sap.url, apiKey: null }, '/_sandbox/maintenance', {
      method: 'POST',
      body: { durationMs: 60_000 },
    });
    expect(window.status).toBe(200);
    try {
      const answer = await postSoap(rfc(), detail('0045000001'));
      expect(answer.status).toBe(503);
      expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
      expect(textAt(answer.body, 'faultstring')).toContain('maintenance');
    } finally {
      await callSandbox({ url: sap.url, apiKey: null }, '/_sandbox/faults', { method: 'DELETE' });
    }
  });

  test('resets and hangs hit SOAP calls too, and are logged unanswered', async () => {
    const since = await lastLoggedId(sap);
    try {
      await setFaults(sap, { resets: { rate: 1, target: 'reads' } });
      await expect(postSoap(rfc(), detail('0045000001'))).rejects.toThrow();
      await setFaults(sap, { hangs: { rate: 1, target: 'reads' } });
      const hung = await fetch(rfc(), {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body: detail('0045000001'),
        signal: AbortSignal.timeout(300),
      }).then(
        () => 'answered',
        (error: unknown) => (error instanceof Error ? error.name : String(error)),
      );
      expect(hung).toBe('TimeoutError');
    } finally {
      await setFaults(sap, {});
    }
    const log = (await loggedRequests(sap, since)).filter((entry) => entry.path === '/sap/bc/soap/rfc');
    expect(log.map((entry) => [entry.status, entry.fault, entry.operation])).toEqual([
      [0, 'reset', 'BAPI_PO_GETDETAIL1'],
      [0, 'hang', 'BAPI_PO_GETDETAIL1'],
    ]);
  });

  test('a REST-only sandbox publishes no WSDL and serves no SOAP path', async () => {
    const { sandbox, stop } = await startTestSandbox(small);
    try {
      expect(sandbox.wsdl).toEqual([]);
      const listing = await callSandbox({ url: sandbox.url, apiKey: null }, '/_sandbox/wsdl');
      expect(listing.body).toEqual({ personality: null, wsdl: [], services: [] });
      expect((await postSoap(`${sandbox.url}/sap/bc/soap/rfc`, detail('0045000001'))).status).toBe(404);
    } finally {
      await stop();
    }
  });
});
