import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../sandbox/index.ts';
import { startTestSandbox } from '../../../sandbox/test-support.ts';
import { XmlError } from '../../xml/index.ts';
import { readSoapAnswer, UnreadableAnswer } from './answer-reader.ts';
import { prepareAuth } from './soap-auth.ts';
import { connectSoap, type SoapClient } from './soap-client.ts';
import { SoapConnectionConfig, type SoapConnectionConfigInput } from './soap-config.ts';
import { SoapTransport } from './soap-transport.ts';
import { loadIntoNodeSoap, readWsdlDocuments } from './wsdl-loader.ts';

/**
 * The answer reader gives exactly what node-soap's own reader (sax) gives, answer for answer,
 * on the sandbox's real answers of all three personalities: GETITEMS pages, GETDETAIL1, tables
 * and texts, EBS pages with their QueryStatus header, AX documents and key lists.
 */

const MAX_BYTES = 10 * 1024 * 1024;

/** A node-soap client on the same WSDL, whose WSDL object both readers read with. */
async function nodeSoapModel(config: SoapConnectionConfigInput) {
  const parsed = SoapConnectionConfig.parse(config);
  const auth = await prepareAuth(parsed.auth, process.cwd(), 'model');
  const transport = new SoapTransport({
    maxResponseBytes: parsed.maxResponseBytes,
    connectionPerExchange: auth.connectionPerExchange,
  });
  const documents = await readWsdlDocuments({
    config: parsed,
    connector: 'model',
    baseDir: process.cwd(),
    transport,
    security: auth.security,
    secrets: auth.secrets,
  });
  const client = await loadIntoNodeSoap(documents, { config: parsed, transport, soapVersion: '1.1' });
  transport.close();
  return client.wsdl;
}

/** Both readers on one answer: they must agree exactly. */
async function expectSameReading(config: SoapConnectionConfigInput, answers: readonly string[]) {
  const wsdl = await nodeSoapModel(config);
  const nodeSoap = Object.getPrototypeOf(wsdl).xmlToObject;
  for (const answer of answers) {
    expect(answer.length).toBeGreaterThan(100);
    expect(readSoapAnswer(answer, wsdl, MAX_BYTES)).toEqual(nodeSoap.call(wsdl, answer));
  }
}

describe('the SOAP answer reader', () => {
  describe('on sap-ecc answers', () => {
    let sandbox: Sandbox;
    let stop: () => Promise<void>;
    let client: SoapClient;
    const config = () => ({
      wsdl: `${sandbox.url}/sap/bc/soap/wsdl11?sap-client=100`,
      endpoint: `${sandbox.url}/sap/bc/soap/rfc?sap-client=100`,
    });

    beforeAll(async () => {
      ({ sandbox, stop } = await startTestSandbox({ personality: 'sap-ecc', orders: 60, history: 30 }));
      client = await connectSoap(SoapConnectionConfig.parse(config()), { name: 'sap' });
    });
    afterAll(async () => {
      await client?.close();
      await stop?.();
    });

    it('reads GETITEMS, GETDETAIL1, RFC_READ_TABLE, RFC_READ_TEXT and RETURN rows as node-soap does', async () => {
      const page = await client.call('BAPI_PO_GETITEMS', { WITH_PO_HEADERS: 'X', MAX_ROWS: 40 });
      const first = /<PO_NUMBER>(\d{10})<\/PO_NUMBER>/.exec(page.rawResponse)?.[1] ?? '';
      const answers = [
        page.rawResponse,
        (await client.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: first, HEADER_TEXT: 'X' })).rawResponse,
        (await client.call('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '0099999999' })).rawResponse,
        (
          await client.call('RFC_READ_TABLE', {
            QUERY_TABLE: 'EKET',
            OPTIONS: { item: [{ TEXT: `EBELN GE '${first}'` }] },
            FIELDS: { item: [{ FIELDNAME: 'EBELN' }, { FIELDNAME: 'EBELP' }, { FIELDNAME: 'SLFDT' }] },
          })
        ).rawResponse,
        (await client.call('RFC_READ_TABLE', { QUERY_TABLE: 'ZERPBR_VENDOR', ROWCOUNT: 5 })).rawResponse,
        (
          await client.call('RFC_READ_TEXT', {
            TEXT_LINES: {
              item: Array.from({ length: 30 }, (_, index) => ({
                TDOBJECT: 'EKKO',
                TDNAME: String(Number(first) + index).padStart(10, '0'),
                TDID: 'F01',
                TDSPRAS: 'E',
              })),
            },
          })
        ).rawResponse,
      ];
      await expectSameReading(config(), answers);
    });
  });

  describe('on oracle-ebs answers', () => {
    let sandbox: Sandbox;
    let stop: () => Promise<void>;
    const query = '/soa-infra/services/default/PurchaseOrderEBS/DB_QueryPurchaseOrderEBS';

    beforeAll(async () => {
      ({ sandbox, stop } = await startTestSandbox({ personality: 'oracle-ebs', orders: 60, history: 30 }));
    });
    afterAll(() => stop?.());

    it('reads a page of orders with lines and shipments, and its QueryStatus header, as node-soap does', async () => {
      const config = { wsdl: `${sandbox.url}${query}?WSDL` };
      const client = await connectSoap(SoapConnectionConfig.parse(config), { name: 'ebs' });
      try {
        const page = await client.call(
          'queryByExample',
          { closedCode: 'OPEN' },
          {
            soapHeaders: [
              {
                value: { QueryControl: { maxRows: 25 } },
                prefix: 'top',
                namespace: 'http://xmlns.oracle.com/pcbpel/adapter/db/top/DB_QueryPurchaseOrderEBS',
              },
            ],
          },
        );
        await expectSameReading(config, [page.rawResponse]);
      } finally {
        await client.close();
      }
    });
  });

  describe('on dynamics-ax answers (behind NTLM)', () => {
    let sandbox: Sandbox;
    let stop: () => Promise<void>;

    beforeAll(async () => {
      ({ sandbox, stop } = await startTestSandbox({ personality: 'dynamics-ax', orders: 60, history: 30 }));
    });
    afterAll(() => stop?.());

    it('reads key lists, key pages and documents as node-soap does', async () => {
      const config = {
        wsdl: `${sandbox.url}/MicrosoftDynamicsAXAif60/PurchOrderService/xppservice.svc?wsdl`,
        auth: { kind: 'ntlm' as const, username: 'CONTOSO\\erpbridge', password: 'Sandbox-AX-2012' },
      };
      const client = await connectSoap(SoapConnectionConfig.parse(config), { name: 'ax' });
      const callContext = [
        {
          value: { CallContext: { Company: 'USMF' } },
          prefix: 'ctx',
          namespace: 'http://schemas.microsoft.com/dynamics/2010/01/datacontracts',
        },
      ];
      try {
        const keys = await client.call(
          'getKeys',
          { DocumentPaging: { PageSize: 20 } },
          { soapHeaders: callContext },
        );
        const ids = [...keys.rawResponse.matchAll(/<Value>(\d{10})<\/Value>/g)].map((match) => match[1]);
        const read = await client.call(
          'read',
          {
            EntityKeyList: {
              EntityKey: ids
                .slice(0, 10)
                .map((id) => ({ KeyData: { KeyField: [{ Field: 'PurchId', Value: id }] } })),
            },
          },
          { soapHeaders: callContext },
        );
        await expectSameReading(config, [keys.rawResponse, read.rawResponse]);
      } finally {
        await client.close();
      }
    });
  });

  it('refuses what node-soap would read past: a DTD, a fault, no envelope, broken XML', () => {
    const model = { options: {}, definitions: { messages: {}, portTypes: {} }, findSchemaObject: () => null };
    const envelope = (body: string) =>
      `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${body}</s:Body></s:Envelope>`;
    expect(() =>
      readSoapAnswer(
        `<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${envelope('&e;')}`,
        model,
        MAX_BYTES,
      ),
    ).toThrow(XmlError);
    expect(() =>
      readSoapAnswer(envelope('<s:Fault><faultcode>s:Client</faultcode></s:Fault>'), model, MAX_BYTES),
    ).toThrow(UnreadableAnswer);
    expect(() => readSoapAnswer('<html><body>logon</body></html>', model, MAX_BYTES)).toThrow(
      'the answer is not a SOAP envelope with a Body',
    );
    expect(() => readSoapAnswer(envelope('<Unknown/>'), model, MAX_BYTES)).toThrow(
      "the answer's body element Unknown is not an output message of the WSDL",
    );
    expect(() => readSoapAnswer(envelope('</x>'), model, MAX_BYTES)).toThrow(/not well-formed XML/);
  });
});
