import { resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErpError } from '../../errors/index.ts';
import { rejectionOf, thrownBy } from '../../errors/test-errors.ts';
import { XmlError } from '../../xml/index.ts';
import { assertBapiSuccess, BapiError } from './bapi-return.ts';
import { connectSoap, type SoapCallResult, type SoapClient } from './soap-client.ts';
import { SoapConnectionConfig, type SoapConnectionConfigInput } from './soap-config.ts';
import { SoapFaultError } from './soap-errors.ts';
import {
  aifFaultDetail,
  type RecordedRequest,
  soapEnvelope,
  soapFault11,
  soapFault12,
  startTestSoapServer,
  type TestSoapServer,
} from './test-soap-server.ts';

const WSDL = resolve(import.meta.dirname, 'test-fixtures/purchase-order.wsdl');
const RFC = 'urn:sap-com:document:sap:rfc:functions';

const detailAnswer = soapEnvelope(
  `<n0:BAPI_PO_GETDETAIL1Response xmlns:n0="${RFC}"><POHEADER><PO_NUMBER>0045000123</PO_NUMBER><VENDOR>  ACME</VENDOR><PRIORITY>1</PRIORITY>` +
    '<CREAT_DATE>2026-11-04</CREAT_DATE><NET_VALUE>12345678901234567.50</NET_VALUE><ITEM_COUNT>3</ITEM_COUNT></POHEADER>' +
    '<RETURN><item><TYPE>S</TYPE><ID>06</ID><NUMBER>000</NUMBER><MESSAGE>ok</MESSAGE></item></RETURN></n0:BAPI_PO_GETDETAIL1Response>',
);

let server: TestSoapServer;
const clients: SoapClient[] = [];

beforeAll(async () => {
  server = await startTestSoapServer();
});
afterAll(() => server.close());
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  server.requests.length = 0;
});

async function connect(options: Partial<SoapConnectionConfigInput> = {}): Promise<SoapClient> {
  const client = await connectSoap(
    SoapConnectionConfig.parse({
      wsdl: WSDL,
      endpoint: `${server.url}/sap/po`,
      port: 'PurchaseOrderSoap',
      ...options,
    }),
    { name: 'sap' },
  );
  clients.push(client);
  return client;
}

function lastRequest(): RecordedRequest {
  const request = server.requests.at(-1);
  if (request === undefined) throw new Error('the server received nothing');
  return request;
}

describe('SOAP client against a local server', () => {
  it('calls an operation: envelope, SOAPAction, result with decimals and dates as written', async () => {
    server.reply(() => ({ body: detailAnswer }));
    const client = await connect();
    const { result, rawRequest, rawResponse } = await client.call('BAPI_PO_GETDETAIL1', {
      PURCHASEORDER: '0045000123',
    });
    expect(result).toEqual({
      POHEADER: {
        PO_NUMBER: '0045000123',
        VENDOR: 'ACME',
        PRIORITY: '1',
        CREAT_DATE: '2026-11-04',
        NET_VALUE: '12345678901234567.50',
        ITEM_COUNT: 3,
      },
      RETURN: { item: [{ TYPE: 'S', ID: '06', NUMBER: '000', MESSAGE: 'ok' }] },
    });
    expect(rawResponse).toBe(detailAnswer);
    const request = lastRequest();
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/sap/po');
    expect(request.headers.soapaction).toBe(`"${RFC}:BAPI_PO_GETDETAIL1"`);
    expect(request.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(request.body).toContain('<PURCHASEORDER>0045000123</PURCHASEORDER>');
    expect(rawRequest).toBe(request.body);
  });

  it('renders the envelope a call would send, without sending it', async () => {
    const client = await connect();
    const envelope = client.renderRequest('BAPI_PO_CHANGE', {
      PURCHASEORDER: '0045000123',
      POHEADER: { PRIORITY: '1' },
    });
    expect(envelope).toMatch(
      /^<\?xml version="1.0" encoding="utf-8"\?><soap:Envelope xmlns:soap="http:\/\/schemas.xmlsoap.org\/soap\/envelope\/"/,
    );
    expect(envelope).toContain(
      `<soap:Body><rfc:BAPI_PO_CHANGE xmlns:rfc="${RFC}"><PURCHASEORDER>0045000123</PURCHASEORDER><POHEADER><PRIORITY>1</PRIORITY></POHEADER></rfc:BAPI_PO_CHANGE></soap:Body>`,
    );
    expect(server.requests).toEqual([]);
  });

  it('escapes argument values: record data cannot open elements of its own', async () => {
    const client = await connect();
    const envelope = client.renderRequest('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '</PURCHASEORDER><x>&' });
    expect(envelope).toContain('<PURCHASEORDER>&lt;/PURCHASEORDER&gt;&lt;x&gt;&amp;</PURCHASEORDER>');
  });

  it('sends SOAP 1.2 to a soap12 port', async () => {
    server.reply(() => ({
      body: detailAnswer.replace(
        'http://schemas.xmlsoap.org/soap/envelope/',
        'http://www.w3.org/2003/05/soap-envelope',
      ),
    }));
    const client = await connect({ port: 'PurchaseOrderSoap12' });
    expect(client.port?.soapVersion).toBe('1.2');
    const { result } = await client.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '1' });
    expect(result).toMatchObject({ POHEADER: { PO_NUMBER: '0045000123' } });
    const request = lastRequest();
    expect(request.headers['content-type']).toBe(
      `application/soap+xml; charset=utf-8; action="${RFC}:BAPI_PO_GETDETAIL1"`,
    );
    expect(request.body).toContain('xmlns:soap="http://www.w3.org/2003/05/soap-envelope"');
  });

  it('calls any port of the WSDL: the call’s port, in its SOAP version, with the connection’s auth', async () => {
    server.reply((request) => ({
      body: request.headers['content-type']?.startsWith('application/soap+xml')
        ? detailAnswer.replace(
            'http://schemas.xmlsoap.org/soap/envelope/',
            'http://www.w3.org/2003/05/soap-envelope',
          )
        : detailAnswer,
    }));
    const client = await connect({ auth: { kind: 'basic', username: 'RFC_ERPBR', password: 'pw-1' } });
    expect(client.ports.map((port) => `${port.port} ${port.soapVersion}`)).toEqual([
      'PurchaseOrderSoap 1.1',
      'PurchaseOrderSoap12 1.2',
    ]);
    await client.call(
      'BAPI_PO_GETDETAIL1',
      { PURCHASEORDER: '1' },
      { port: 'PurchaseOrderService/PurchaseOrderSoap12' },
    );
    const soap12 = lastRequest();
    expect(soap12.headers['content-type']).toMatch(/^application\/soap\+xml/);
    expect(soap12.headers.authorization).toBe(`Basic ${Buffer.from('RFC_ERPBR:pw-1').toString('base64')}`);
    // The next call is the connection's port again, in its version.
    await client.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '2' });
    expect(lastRequest().headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(() => client.renderRequest('BAPI_PO_GETDETAIL1', {}, { port: 'Nope' })).toThrow(
      'cannot call BAPI_PO_GETDETAIL1: the WSDL has no port Nope with a SOAP binding and operations; it has PurchaseOrderService/PurchaseOrderSoap, PurchaseOrderService/PurchaseOrderSoap12',
    );
    // Without a port of its own, a connection calls the port the call names.
    const unbound = await connectSoap(
      SoapConnectionConfig.parse({ wsdl: WSDL, endpoint: `${server.url}/sap/po` }),
    );
    clients.push(unbound);
    expect(unbound.operations()).toEqual(['BAPI_PO_GETDETAIL1', 'BAPI_PO_CHANGE', 'PO_CHANGE_NOTIFY']);
    const { result } = await unbound.call(
      'BAPI_PO_GETDETAIL1',
      { PURCHASEORDER: '3' },
      { port: 'PurchaseOrderSoap' },
    );
    expect(result).toMatchObject({ POHEADER: { PO_NUMBER: '0045000123' } });
  });

  it('adds URL parameters to one call and returns the answer headers', async () => {
    server.reply(() => ({
      headers: {
        'set-cookie': ['SAP_SESSIONID_ERP_100=abc; path=/', 'sap-usercontext=sap-client=100; path=/'],
      },
      body: detailAnswer,
    }));
    const client = await connect({ endpoint: `${server.url}/sap/bc/soap/rfc?sap-client=100` });
    const { headers } = await client.call(
      'BAPI_PO_GETDETAIL1',
      { PURCHASEORDER: '1' },
      { query: { 'sap-sessioncmd': 'open' } },
    );
    expect(lastRequest().url).toBe('/sap/bc/soap/rfc?sap-client=100&sap-sessioncmd=open');
    expect(headers['set-cookie']).toEqual([
      'SAP_SESSIONID_ERP_100=abc; path=/',
      'sap-usercontext=sap-client=100; path=/',
    ]);
    await client.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '2' });
    expect(lastRequest().url).toBe('/sap/bc/soap/rfc?sap-client=100');
  });

  it('tells onAnswer of an answer before reading it; a call it starts is under way meanwhile', async () => {
    server.reply((request) => ({
      body: detailAnswer.replace(
        '0045000123',
        (/<PURCHASEORDER>(\d+)</.exec(request.body)?.[1] ?? '').padStart(10, '0'),
      ),
    }));
    const client = await connect();
    const seen: string[] = [];
    let next: Promise<SoapCallResult> | undefined;
    const first = await client.call(
      'BAPI_PO_GETDETAIL1',
      { PURCHASEORDER: '1' },
      {
        onAnswer: (text) => {
          seen.push(text);
          next = client.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '2' });
        },
      },
    );
    // Told before the call was read and returned, with the same text.
    expect(seen).toEqual([first.rawResponse]);
    expect(next).toBeDefined();
    const second = await next;
    expect(second?.result).toMatchObject({ POHEADER: { PO_NUMBER: '0000000002' } });
    const failing = client.call(
      'BAPI_PO_GETDETAIL1',
      { PURCHASEORDER: '3' },
      {
        onAnswer: () => {
          throw new Error('listener broke');
        },
      },
    );
    await expect(failing).rejects.toThrow('listener broke');
  });

  it('opens a sibling service on the same settings: auth, headers and bounds, unless it overrides them', async () => {
    server.reply(() => ({ body: detailAnswer }));
    // The config file's folder: relative paths of a sibling resolve against it too.
    const client = await connectSoap(
      SoapConnectionConfig.parse({
        wsdl: 'test-fixtures/purchase-order.wsdl',
        endpoint: `${server.url}/sap/po`,
        port: 'PurchaseOrderSoap',
        auth: { kind: 'basic', username: 'RFC_ERPBR', password: 'pw-1' },
        headers: { 'X-Client': 'erpbridge' },
      }),
      { name: 'sap', baseDir: import.meta.dirname },
    );
    clients.push(client);
    const sibling = await client.openService(
      {
        wsdl: 'test-fixtures/purchase-order.wsdl',
        endpoint: `${server.url}/sibling`,
        port: 'PurchaseOrderSoap',
      },
      'sap.options.sibling',
    );
    expect(sibling.name).toBe('sap.options.sibling');
    await sibling.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '1' });
    expect(lastRequest()).toMatchObject({
      url: '/sibling',
      headers: {
        authorization: `Basic ${Buffer.from('RFC_ERPBR:pw-1').toString('base64')}`,
        'x-client': 'erpbridge',
      },
    });
    const other = await client.openService({
      wsdl: WSDL,
      endpoint: `${server.url}/other`,
      port: 'PurchaseOrderSoap',
      auth: { kind: 'basic', username: 'SOA', password: 'pw-2' },
    });
    await other.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '1' });
    expect(lastRequest().headers.authorization).toBe(`Basic ${Buffer.from('SOA:pw-2').toString('base64')}`);
    // Closing the connection closes what was opened on it.
    await client.close();
    await expect(sibling.call('BAPI_PO_GETDETAIL1', {})).rejects.toThrow('the SOAP connection is closed');
  });

  it('adds per-call SOAP headers and HTTP headers to that call only', async () => {
    server.reply(() => ({ body: detailAnswer }));
    const client = await connect({ headers: { 'X-Client': 'erpbridge' } });
    await client.call(
      'BAPI_PO_GETDETAIL1',
      { PURCHASEORDER: '1' },
      {
        headers: { 'X-Run': 'run-7' },
        soapHeaders: [
          {
            value: { CallContext: { Company: 'dat' } },
            prefix: 'ctx',
            namespace: 'http://schemas.microsoft.com/dynamics/2010/01/datacontracts',
          },
        ],
      },
    );
    expect(lastRequest().headers).toMatchObject({ 'x-client': 'erpbridge', 'x-run': 'run-7' });
    expect(lastRequest().body).toMatch(
      /<soap:Header><ctx:CallContext xmlns:ctx="http:\/\/schemas.microsoft.com\/dynamics\/2010\/01\/datacontracts"[^>]*><ctx:Company>dat<\/ctx:Company><\/ctx:CallContext><\/soap:Header>/,
    );
    await client.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '2' });
    expect(lastRequest().body).not.toContain('CallContext');
    expect(lastRequest().headers['x-run']).toBeUndefined();
  });

  it('returns null for a one-way operation answered with an empty 202', async () => {
    server.reply(() => ({ status: 202, body: '' }));
    const client = await connect();
    expect((await client.call('PO_CHANGE_NOTIFY', { PURCHASEORDER: '1' })).result).toBeNull();
  });

  it('SOAP 1.1 fault: the fault string verbatim, kind by fault code', async () => {
    server.reply(() => ({
      status: 500,
      body: soapFault11('soap-env:Client', 'Purchase order 4500000099 does not exist'),
    }));
    const client = await connect();
    const error = await rejectionOf(
      client.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '4500000099' }),
      ErpError,
    );
    expect(error).toBeInstanceOf(SoapFaultError);
    expect(error.kind).toBe('validation');
    expect(error.message).toBe('Purchase order 4500000099 does not exist');
    expect(error.context).toMatchObject({
      connector: 'sap',
      method: 'POST',
      url: `${server.url}/sap/po`,
      status: 500,
    });
    expect(error.context.hint).toBe(
      'the ERP refused BAPI_PO_GETDETAIL1 as sent (soap-env:Client); the message says what to fix',
    );
  });

  it('SOAP 1.2 fault: the reason text verbatim; a Receiver fault is permanent', async () => {
    server.reply(() => ({
      status: 500,
      body: soapFault12('soap:Receiver', 'Das System ist nicht verfügbar'),
    }));
    const client = await connect({ port: 'PurchaseOrderSoap12' });
    const error = await rejectionOf(client.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '1' }), ErpError);
    expect(error.message).toBe('Das System ist nicht verfügbar');
    expect(error.kind).toBe('permanent');
  });

  it('Dynamics AX AIF fault: the infolog messages joined', async () => {
    const detail = aifFaultDetail([
      ['Info', 'Purchase order: 000123'],
      ['Error', '\tVendor account 9999 does not exist.'],
      ['Error', 'Document could not be validated.'],
    ]);
    server.reply(() => ({
      status: 500,
      body: soapFault11('s:Client', 'Request Failed. See the Exception Log for details.', detail),
    }));
    const client = await connect();
    const error = await rejectionOf(
      client.call('BAPI_PO_CHANGE', { PURCHASEORDER: '1', POHEADER: {} }),
      ErpError,
    );
    expect(error.message).toBe(
      'Purchase order: 000123; Vendor account 9999 does not exist.; Document could not be validated.',
    );
    expect(error.kind).toBe('validation');
    expect(error instanceof SoapFaultError && error.fault.aif?.infolog).toHaveLength(3);
  });

  it('BAPIRET2 error in a normal answer: assertBapiSuccess throws with MESSAGE, ID and NUMBER', async () => {
    server.reply(() => ({
      body: soapEnvelope(
        `<n0:BAPI_PO_CHANGEResponse xmlns:n0="${RFC}"><RETURN>` +
          '<item><TYPE>W</TYPE><ID>ME</ID><NUMBER>664</NUMBER><MESSAGE>Delivery date in the past</MESSAGE></item>' +
          '<item><TYPE>E</TYPE><ID>06</ID><NUMBER>019</NUMBER><MESSAGE>Purchase order 4500000099 does not exist</MESSAGE><FIELD>PO_NUMBER</FIELD></item>' +
          '</RETURN></n0:BAPI_PO_CHANGEResponse>',
      ),
    }));
    const client = await connect();
    const { result } = await client.call('BAPI_PO_CHANGE', { PURCHASEORDER: '4500000099', POHEADER: {} });
    const thrown = thrownBy(
      () => assertBapiSuccess(result, 'BAPI_PO_CHANGE', { connector: 'sap' }),
      BapiError,
    );
    expect(thrown).toMatchObject({
      kind: 'validation',
      message: 'BAPI_PO_CHANGE returned E 06/019: Purchase order 4500000099 does not exist',
      context: { connector: 'sap', field: 'PO_NUMBER' },
    });
  });

  it('basic auth: the Authorization header is sent; the password appears nowhere in errors', async () => {
    server.reply(() => ({ status: 500, body: soapFault11('soap:Server', 'login s3cret-Passw0rd failed') }));
    const client = await connect({
      auth: { kind: 'basic', username: 'ERPBRIDGE', password: 's3cret-Passw0rd' },
    });
    const error = await rejectionOf(client.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '1' }), ErpError);
    expect(lastRequest().headers.authorization).toBe(
      `Basic ${Buffer.from('ERPBRIDGE:s3cret-Passw0rd').toString('base64')}`,
    );
    expect(error.message).toBe('login [redacted] failed');
    expect(JSON.stringify({ ...error, message: error.message, cause: String(error.cause) })).not.toContain(
      's3cret',
    );
  });

  it('WS-Security UsernameToken, PasswordText: the header is sent, rawRequest and renderRequest hide the password', async () => {
    server.reply(() => ({ body: detailAnswer }));
    const client = await connect({
      auth: { kind: 'ws-security', username: 'ERPBRIDGE', password: 'pw<&>secret' },
    });
    const { rawRequest } = await client.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '1' });
    const sent = lastRequest().body;
    expect(sent).toContain('<wsse:Username>ERPBRIDGE</wsse:Username>');
    expect(sent).toContain('#PasswordText">pw&lt;&amp;&gt;secret</wsse:Password>');
    expect(sent).toContain('<wsu:Timestamp');
    expect(rawRequest).toContain('#PasswordText">[redacted]</wsse:Password>');
    expect(rawRequest).not.toContain('secret');
    expect(client.renderRequest('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '1' })).not.toContain('secret');
  });

  it('WS-Security UsernameToken, PasswordDigest: digest and nonce, never the password', async () => {
    server.reply(() => ({ body: detailAnswer }));
    const client = await connect({
      auth: {
        kind: 'ws-security',
        username: 'ERPBRIDGE',
        password: 'digest-secret',
        passwordType: 'PasswordDigest',
      },
    });
    await client.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '1' });
    const sent = lastRequest().body;
    expect(sent).toMatch(/#PasswordDigest">[A-Za-z0-9+/=]{28}<\/wsse:Password>/);
    expect(sent).toContain('<wsse:Nonce');
    expect(sent).not.toContain('digest-secret');
  });

  it('401: auth, with a hint to the credentials', async () => {
    server.reply(() => ({
      status: 401,
      headers: { 'content-type': 'text/html', 'www-authenticate': 'Basic realm="SAP"' },
      body: '<html><body>Logon failed</body></html>',
    }));
    const client = await connect({ auth: { kind: 'basic', username: 'u', password: 'wrong-password' } });
    const error = await rejectionOf(client.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '1' }), ErpError);
    expect(error.kind).toBe('auth');
    expect(error.message).toBe(
      `BAPI_PO_GETDETAIL1: POST ${server.url}/sap/po answered 401 Unauthorized: <html><body>Logon failed</body></html>`,
    );
    expect(error.context).toMatchObject({
      status: 401,
      hint: 'check the credentials in connectors.sap.auth',
    });
  });

  it('429 and 503 with Retry-After: rate_limited and transient, with retryAfterMs', async () => {
    const client = await connect();
    server.reply(() => ({ status: 429, headers: { 'retry-after': '7' }, body: '' }));
    const limited = await rejectionOf(client.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '1' }), ErpError);
    expect([limited.kind, limited.retryAfterMs, limited.retryable]).toEqual(['rate_limited', 7000, true]);
    server.reply(() => ({
      status: 503,
      headers: { 'retry-after': '2' },
      body: soapFault11('soap:Server', 'ICM: maintenance'),
    }));
    const unavailable = await rejectionOf(
      client.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '1' }),
      ErpError,
    );
    expect([unavailable.kind, unavailable.retryAfterMs, unavailable.message]).toEqual([
      'transient',
      2000,
      'ICM: maintenance',
    ]);
  });

  it('500 without a fault (an HTML error page): transient', async () => {
    server.reply(() => ({
      status: 500,
      headers: { 'content-type': 'text/html' },
      body: '<html><h1>500 Internal Server Error</h1><p>ICM</html>',
    }));
    const client = await connect();
    const error = await rejectionOf(client.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '1' }), ErpError);
    expect(error.kind).toBe('transient');
    expect(error.context.status).toBe(500);
  });

  it('a timeout: transient, within the bound', async () => {
    server.reply(() => 'hang');
    const client = await connect({ timeoutMs: 150 });
    const started = performance.now();
    const error = await rejectionOf(client.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '1' }), ErpError);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error.kind).toBe('transient');
    expect(error.message).toBe(`BAPI_PO_GETDETAIL1: no answer from POST ${server.url}/sap/po within 150 ms`);
    const perCall = await rejectionOf(
      client.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '1' }, { timeoutMs: 50 }),
      ErpError,
    );
    expect(perCall.message).toContain('within 50 ms');
  });

  it("a caller's abort throws the signal's reason, not an ERP error", async () => {
    server.reply(() => 'hang');
    const client = await connect();
    const controller = new AbortController();
    const call = client.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '1' }, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('run cancelled')), 30);
    await expect(call).rejects.toThrow('run cancelled');
  });

  it('an oversized answer: permanent, and the rest is not read', async () => {
    server.reply(() => ({ body: soapEnvelope(`<a>${'x'.repeat(300_000)}</a>`) }));
    const client = await connect({ maxResponseBytes: 100_000 });
    const error = await rejectionOf(client.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '1' }), ErpError);
    expect(error.kind).toBe('permanent');
    expect(error.message).toBe(
      `BAPI_PO_GETDETAIL1: the answer from POST ${server.url}/sap/po is larger than 100000 bytes`,
    );
    expect(error.context.hint).toBe(
      'raise connectors.sap.maxResponseBytes if answers this large are expected',
    );
  });

  it('malformed XML: permanent, with a clear message', async () => {
    server.reply(() => ({
      body: '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><x>',
    }));
    const client = await connect();
    const error = await rejectionOf(client.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '1' }), ErpError);
    expect(error.kind).toBe('permanent');
    expect(error.message).toMatch(
      /^BAPI_PO_GETDETAIL1: the answer is not well-formed XML: the answer of BAPI_PO_GETDETAIL1:1:\d+: not well-formed XML: /,
    );
  });

  it('an answer with a DTD is refused before any parser expands it', async () => {
    server.reply(() => ({
      body: '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<x>&xxe;</x>',
    }));
    const client = await connect();
    const error = await rejectionOf(client.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '1' }), ErpError);
    expect(error.message).toMatch(
      /^BAPI_PO_GETDETAIL1: the answer declares a DTD, which erpbridge refuses: the answer of BAPI_PO_GETDETAIL1:2:1: <!DOCTYPE refused/,
    );
    expect(error.message).not.toContain('root:');
  });

  it('a 200 that is no SOAP envelope: permanent', async () => {
    server.reply(() => ({ body: '<html><body>SAP NetWeaver logon page</body></html>' }));
    const client = await connect();
    const error = await rejectionOf(client.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '1' }), ErpError);
    expect(error.kind).toBe('permanent');
    expect(error.message).toBe(
      'BAPI_PO_GETDETAIL1: the answer is not a SOAP envelope: <html><body>SAP NetWeaver logon page</body></html>',
    );
  });

  it('a redirect is not followed', async () => {
    server.reply(() => ({ status: 302, headers: { location: 'http://192.0.2.1/elsewhere' }, body: '' }));
    const client = await connect();
    const error = await rejectionOf(client.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '1' }), ErpError);
    expect(error.message).toBe(
      `BAPI_PO_GETDETAIL1: POST ${server.url}/sap/po answered 302, a redirect to http://192.0.2.1/elsewhere`,
    );
    expect(server.requests).toHaveLength(1);
  });

  it('connection refused: transient, with a hint to the endpoint', async () => {
    const client = await connect({ endpoint: 'http://127.0.0.1:1/sap/po' });
    const error = await rejectionOf(client.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '1' }), ErpError);
    expect(error.kind).toBe('transient');
    expect(error.message).toBe(
      'BAPI_PO_GETDETAIL1: POST http://127.0.0.1:1/sap/po failed: connect ECONNREFUSED 127.0.0.1:1',
    );
    expect(error.context.hint).toBe(
      'is the ERP running at http://127.0.0.1:1/sap/po? check connectors.sap.endpoint',
    );
  });

  it('an unknown operation, an ambiguous port and a closed client are refused before sending', async () => {
    const client = await connect();
    expect(() => client.renderRequest('BAPI_PO_DELETE', {})).toThrow(
      'port PurchaseOrderSoap has no operation "BAPI_PO_DELETE"; it has BAPI_PO_GETDETAIL1, BAPI_PO_CHANGE, PO_CHANGE_NOTIFY',
    );
    expect(() => client.renderRequest('constructor', {})).toThrow(/has no operation "constructor"/);
    const ambiguous = await connectSoap(SoapConnectionConfig.parse({ wsdl: WSDL, endpoint: server.url }));
    clients.push(ambiguous);
    expect(ambiguous.port).toBeUndefined();
    await expect(ambiguous.call('BAPI_PO_GETDETAIL1', {})).rejects.toThrow(
      'cannot call BAPI_PO_GETDETAIL1: the WSDL has several ports with operations (PurchaseOrderService/PurchaseOrderSoap, PurchaseOrderService/PurchaseOrderSoap12); name one with service and port',
    );
    await client.close();
    await expect(client.call('BAPI_PO_GETDETAIL1', {})).rejects.toThrow(
      'BAPI_PO_GETDETAIL1: the SOAP connection is closed',
    );
    expect(server.requests).toEqual([]);
  });

  it('a port the WSDL does not have is a configuration error at connect', async () => {
    await expect(connect({ port: 'NoSuchPort' })).rejects.toThrow(
      'the WSDL has no port NoSuchPort with a SOAP binding and operations; it has PurchaseOrderService/PurchaseOrderSoap, PurchaseOrderService/PurchaseOrderSoap12',
    );
  });

  describe('with the call’s own reader (readAnswer)', () => {
    const readRows = (text: string) => ({ read: text.length });

    it('hands the checked text to the reader instead of node-soap; its value is the result', async () => {
      server.reply(() => ({ body: detailAnswer }));
      const client = await connect();
      const seen: { text: string; maxBytes: number }[] = [];
      const { result, rawResponse } = await client.call(
        'BAPI_PO_GETDETAIL1',
        { PURCHASEORDER: '0045000123' },
        {
          readAnswer: (text, bounds) => {
            seen.push({ text, maxBytes: bounds.maxBytes });
            return readRows(text);
          },
        },
      );
      expect(result).toEqual({ read: detailAnswer.length });
      expect(rawResponse).toBe(detailAnswer);
      expect(seen).toEqual([{ text: detailAnswer, maxBytes: 10 * 1024 * 1024 }]);
    });

    it('a fault the reader does not take is still the ERP’s fault, with its text', async () => {
      server.reply(() => ({ status: 200, body: soapFault11('soap-env:Server', 'TABLE_NOT_AVAILABLE') }));
      const client = await connect();
      const error = await rejectionOf(
        client.call(
          'BAPI_PO_GETDETAIL1',
          { PURCHASEORDER: '1' },
          {
            readAnswer: () => {
              throw new Error('the answer is a SOAP fault');
            },
          },
        ),
        ErpError,
      );
      expect(error).toBeInstanceOf(SoapFaultError);
      expect(error.message).toBe('TABLE_NOT_AVAILABLE');
    });

    it('an XmlError of the reader is broken XML; anything else names what the reader could not read', async () => {
      server.reply(() => ({ body: detailAnswer }));
      const client = await connect();
      const broken = await rejectionOf(
        client.call(
          'BAPI_PO_GETDETAIL1',
          { PURCHASEORDER: '1' },
          {
            readAnswer: () => {
              throw new XmlError('malformed', 'not well-formed XML: end tag </B> where </A> was expected', {
                source: 'the answer of BAPI_PO_GETDETAIL1',
                line: 1,
                column: 9,
              });
            },
          },
        ),
        ErpError,
      );
      expect(broken.kind).toBe('permanent');
      expect(broken.message).toBe(
        'BAPI_PO_GETDETAIL1: the answer is not well-formed XML: the answer of BAPI_PO_GETDETAIL1:1:9: not well-formed XML: end tag </B> where </A> was expected',
      );
      const unread = await rejectionOf(
        client.call(
          'BAPI_PO_GETDETAIL1',
          { PURCHASEORDER: '1' },
          {
            readAnswer: () => {
              throw new Error('<POHEADER> has <VENDOR> twice');
            },
          },
        ),
        ErpError,
      );
      expect(unread.kind).toBe('permanent');
      expect(unread.message).toBe(
        'BAPI_PO_GETDETAIL1: cannot read the answer: <POHEADER> has <VENDOR> twice',
      );
      expect(unread.context.hint).toMatch(/does not have the shape this call reads/);
    });

    it('the size bound and the DTD refusal come before the reader', async () => {
      server.reply(() => ({
        body: '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<x>&xxe;</x>',
      }));
      const client = await connect();
      let called = false;
      const readAnswer = () => {
        called = true;
        return null;
      };
      const error = await rejectionOf(
        client.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '1' }, { readAnswer }),
        ErpError,
      );
      expect(error.message).toMatch(/the answer declares a DTD, which erpbridge refuses/);
      server.reply(() => ({ body: `${detailAnswer}${' '.repeat(10_000)}` }));
      const small = await connect({ maxResponseBytes: 8 * 1024 });
      const large = await rejectionOf(
        small.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '1' }, { readAnswer }),
        ErpError,
      );
      expect(large.message).toMatch(/larger than 8192 bytes/);
      expect(called).toBe(false);
    });
  });

  it('calls in flight at once each get their own answer and headers', async () => {
    server.reply(async (request) => {
      const number = /<PURCHASEORDER>(\d+)</.exec(request.body)?.[1] ?? '';
      await new Promise((resolve) => setTimeout(resolve, Number(number) % 3));
      return { body: detailAnswer.replace('0045000123', number.padStart(10, '0')) };
    });
    const client = await connect();
    const numbers = Array.from({ length: 12 }, (_, index) => String(index + 1));
    const answers = await Promise.all(
      numbers.map((number) =>
        client.call(
          'BAPI_PO_GETDETAIL1',
          { PURCHASEORDER: number },
          { soapHeaders: [`<Trace>${number}</Trace>`] },
        ),
      ),
    );
    expect(
      answers.map((answer) =>
        Reflect.get(Object(Reflect.get(Object(answer.result), 'POHEADER')), 'PO_NUMBER'),
      ),
    ).toEqual(numbers.map((number) => number.padStart(10, '0')));
    for (const request of server.requests) {
      const number = /<PURCHASEORDER>(\d+)</.exec(request.body)?.[1];
      expect(request.body).toContain(`<Trace>${number}</Trace>`);
    }
  });
});
