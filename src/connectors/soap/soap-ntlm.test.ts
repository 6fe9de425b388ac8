import { Buffer } from 'node:buffer';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSoap, type SoapClient } from './soap-client.ts';
import { SoapConnectionConfig } from './soap-config.ts';
import { md4, startTestNtlmServer, type TestNtlmServer } from './test-ntlm-server.ts';
import { soapEnvelope } from './test-soap-server.ts';

const WSDL = resolve(import.meta.dirname, 'test-fixtures/purchase-order.wsdl');
const ANSWER = soapEnvelope(
  '<n0:BAPI_PO_GETDETAIL1Response xmlns:n0="urn:sap-com:document:sap:rfc:functions"><POHEADER><PO_NUMBER>0045000123</PO_NUMBER></POHEADER><RETURN/></n0:BAPI_PO_GETDETAIL1Response>',
);

describe('md4 (the test NTLM server hashes with it)', () => {
  it('matches RFC 1320 test vectors', () => {
    expect(md4(Buffer.from('')).toString('hex')).toBe('31d6cfe0d16ae931b73c59d7e0c089c0');
    expect(md4(Buffer.from('abc')).toString('hex')).toBe('a448017aaf21d8525fc10ae87aa6729d');
    expect(
      md4(
        Buffer.from('12345678901234567890123456789012345678901234567890123456789012345678901234567890'),
      ).toString('hex'),
    ).toBe('e33b4ddc9c38f2199c3e7b164fcc0536');
  });
});

describe('NTLM against a local NTLM-speaking server', () => {
  let server: TestNtlmServer;
  const clients: SoapClient[] = [];
  const connect = async (auth: Record<string, string>) => {
    const client = await connectSoap(
      SoapConnectionConfig.parse({
        wsdl: WSDL,
        port: 'PurchaseOrderSoap',
        endpoint: `${server.url}/sap/po`,
        timeoutMs: 5000,
        auth: { kind: 'ntlm', ...auth },
      }),
      { name: 'ax' },
    );
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    server = await startTestNtlmServer(
      { user: 'svc-erpbridge', domain: 'CONTOSO', password: 'Pa55-ntlm-word' },
      ANSWER,
    );
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await server.close();
  });

  it('negotiates (Type 1), answers the challenge (Type 3) on the same connection, and gets the answer', async () => {
    const client = await connect({
      username: 'svc-erpbridge',
      password: 'Pa55-ntlm-word',
      domain: 'CONTOSO',
      workstation: 'ERPBRIDGE01',
    });
    const { result } = await client.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '0045000123' });
    expect(result).toMatchObject({ POHEADER: { PO_NUMBER: '0045000123' } });
    const [negotiate, authenticate] = server.messages;
    expect(negotiate?.header).toMatch(/^NTLM TlRMTVNTUAABAAAA/);
    expect(negotiate).toMatchObject({ type: 1, domain: 'CONTOSO', workstation: 'ERPBRIDGE01' });
    expect(authenticate).toMatchObject({
      type: 3,
      user: 'svc-erpbridge',
      domain: 'CONTOSO',
      workstation: 'ERPBRIDGE01',
    });
    expect(server.authenticated).toBe(1);
    expect(JSON.stringify(server.messages)).not.toContain('Pa55');
  });

  it('takes the domain from DOMAIN\\user; a wrong password ends as an auth error', async () => {
    server.messages.length = 0;
    const good = await connect({ username: 'CONTOSO\\svc-erpbridge', password: 'Pa55-ntlm-word' });
    await good.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '1' });
    expect(server.messages.at(-1)).toMatchObject({ type: 3, user: 'svc-erpbridge', domain: 'CONTOSO' });
    const bad = await connect({ username: 'svc-erpbridge', password: 'wrong-password', domain: 'CONTOSO' });
    const error = await bad
      .call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '1' })
      .catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({
      kind: 'auth',
      context: { status: 401, hint: 'check the credentials in connectors.ax.auth' },
    });
    expect(String(error)).not.toContain('wrong-password');
  });
});
