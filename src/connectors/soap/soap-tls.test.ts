import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../errors/index.ts';
import { connectSoap, type SoapClient } from './soap-client.ts';
import { SoapConnectionConfig, type SoapConnectionConfigInput } from './soap-config.ts';
import { soapEnvelope, startTestSoapServer, type TestSoapServer } from './test-soap-server.ts';

const FIXTURES = resolve(import.meta.dirname, 'test-fixtures');
const TLS = join(FIXTURES, 'tls');
const ANSWER = soapEnvelope(
  '<n0:BAPI_PO_GETDETAIL1Response xmlns:n0="urn:sap-com:document:sap:rfc:functions"><POHEADER><PO_NUMBER>0045000123</PO_NUMBER></POHEADER><RETURN/></n0:BAPI_PO_GETDETAIL1Response>',
);

describe('client certificates against a local https server that requires one', () => {
  let server: TestSoapServer;
  const clients: SoapClient[] = [];
  const connect = async (auth: SoapConnectionConfigInput['auth']) => {
    const client = await connectSoap(
      SoapConnectionConfig.parse({
        wsdl: join(FIXTURES, 'purchase-order.wsdl'),
        port: 'PurchaseOrderSoap',
        endpoint: `${server.url}/sap/po`,
        auth,
      }),
      { name: 'sap', baseDir: TLS },
    );
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    server = await startTestSoapServer({
      tls: {
        key: readFileSync(join(TLS, 'server.key')),
        cert: readFileSync(join(TLS, 'server.pem')),
        ca: readFileSync(join(TLS, 'ca.pem')),
        requestCert: true,
        rejectUnauthorized: true,
      },
    });
    server.reply(() => ({ body: ANSWER }));
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await server.close();
  });

  it('presents cert and key (paths relative to baseDir) and trusts the given CA', async () => {
    const client = await connect({
      kind: 'client-certificate',
      cert: 'client.pem',
      key: 'client.key',
      ca: 'ca.pem',
    });
    const { result } = await client.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '1' });
    expect(result).toMatchObject({ POHEADER: { PO_NUMBER: '0045000123' } });
    expect(server.requests.at(-1)?.clientCertificate).toBe('erpbridge-client');
  });

  it('presents a PKCS#12 bundle with its passphrase; PEM text works in place of a path', async () => {
    const client = await connect({
      kind: 'client-certificate',
      pfx: join(TLS, 'client.p12'),
      passphrase: 'test-pfx-passphrase',
      ca: readFileSync(join(TLS, 'ca.pem'), 'utf8'),
    });
    await client.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '1' });
    expect(server.requests.at(-1)?.clientCertificate).toBe('erpbridge-client');
  });

  it('refuses at connect a bundle the passphrase does not open, without printing the passphrase', async () => {
    const error = await connect({
      kind: 'client-certificate',
      pfx: 'client.p12',
      passphrase: 'not-the-passphrase',
    }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({
      key: 'connectors.sap.auth.pfx',
      message: expect.stringMatching(/^the client certificate cannot be used \(/),
    });
    expect(String(error)).not.toContain('not-the-passphrase');
    await expect(
      connect({ kind: 'client-certificate', cert: 'missing.pem', key: 'client.key' }),
    ).rejects.toThrow(
      `${join(TLS, 'missing.pem')} does not exist; give the path of the file (or, for PEM, its text)`,
    );
  });

  it('a server certificate from an unknown CA fails the handshake: permanent, with a TLS hint', async () => {
    const client = await connect({ kind: 'client-certificate', cert: 'client.pem', key: 'client.key' });
    const error = await client
      .call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '1' })
      .catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({
      kind: 'permanent',
      context: {
        hint: "the TLS handshake failed; check the ERP's certificate and connectors.sap.auth (cert, key, ca)",
      },
    });
  });
});
