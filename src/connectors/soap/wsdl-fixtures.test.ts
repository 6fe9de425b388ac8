import { existsSync, readdirSync } from 'node:fs';
import { Socket } from 'node:net';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest';
import { ConfigError, ErpError } from '../../errors/index.ts';
import { renderDescription } from './render-description.ts';
import { connectSoap, type SoapClient } from './soap-client.ts';
import { SoapConnectionConfig } from './soap-config.ts';
import type { SoapDescription, SoapField, SoapMessageDescription } from './soap-description.ts';
import { SoapFaultError } from './soap-errors.ts';
import {
  aifFaultDetail,
  soapEnvelope,
  soapFault11,
  startTestSoapServer,
  type TestSoapServer,
} from './test-soap-server.ts';

/**
 * Every WSDL in the shared fixtures (real files published by others: a Dynamics AX 2012 AIF service
 * reference, two Oracle EBS SOA adapter WSDLs), loaded with every import mapped to a local file and
 * no network at all. The folder lives outside the repository; without it these tests skip.
 */
const FIXTURES = resolve(import.meta.dirname, '../../../../shared/fixtures/wsdl');
const present = existsSync(FIXTURES);
if (!present) console.log(`SOAP fixture tests skipped: ${FIXTURES} is absent`);

const AX = join(FIXTURES, 'dynamics-ax2012/TEC_STG_PurchOrderService');
const AX_WSDL = join(AX, 'RoutingService1.wsdl');
const AX_SVCMAP = join(AX, 'Reference.svcmap');
const AX_PORT = 'BasicHttpBinding_TEC_STG_PurchOrderService';
const DB_QUERY = join(FIXTURES, 'oracle-ebs/DB_QueryPurchaseOrderEBS/DB_QueryPurchaseOrderEBS.wsdl');
const OA_INSERT = join(FIXTURES, 'oracle-ebs/OA_PurchaseOrderEBS/OA_PurchaseOrderEBS.wsdl');

function wsdlFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return wsdlFiles(path);
    return entry.name.endsWith('.wsdl') ? [path] : [];
  });
}

function field(fields: readonly SoapField[] | undefined, ...path: string[]): SoapField | undefined {
  const [name, ...rest] = path;
  const found = fields?.find((candidate) => candidate.name === name);
  if (rest.length === 0 || found === undefined) return found;
  return field(found.kind === 'complex' ? found.fields : [], ...rest);
}

function operation(description: SoapDescription, name: string) {
  const found = description.services
    .flatMap((service) => service.ports)
    .flatMap((port) => port.operations)
    .concat(description.abstractPortTypes.flatMap((portType) => portType.operations))
    .find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no operation ${name}`);
  return found;
}

function input(description: SoapDescription, name: string): SoapMessageDescription {
  const message = operation(description, name).input;
  if (message === null) throw new Error(`${name} has no input`);
  return message;
}

describe.skipIf(!present)('the real WSDLs in shared/fixtures/wsdl', () => {
  let connects: MockInstance<Socket['connect']>;
  const clients: SoapClient[] = [];
  let server: TestSoapServer;
  /** The AX service, named by its remote URL (which the svcmap maps to RoutingService1.wsdl), calling the local server. */
  let ax: SoapClient;

  beforeAll(async () => {
    server = await startTestSoapServer();
    connects = vi.spyOn(Socket.prototype, 'connect');
    ax = await connectSoap(
      SoapConnectionConfig.parse({
        wsdl: 'http://smurfette.oyezstraker.co.uk:82/MicrosoftDynamicsAXAif60/TECPurchOrderService/xppservice.svc?wsdl',
        svcmap: AX_SVCMAP,
        port: AX_PORT,
        endpoint: `${server.url}/MicrosoftDynamicsAXAif60/TecPurchOrderService/xppservice.svc`,
      }),
      { name: 'ax' },
    );
    clients.push(ax);
  });
  afterEach(() => connects.mockClear());
  afterAll(async () => {
    vi.restoreAllMocks();
    await Promise.all(clients.map((client) => client.close()));
    await server.close();
  });

  it("loads the AX service named by its remote URL from the svcmap's local copy, fetching nothing", () => {
    expect(ax.describe().documents[0]).toBe(AX_WSDL);
    expect(ax.describe().documents).toHaveLength(17);
  });

  it('loads every other WSDL there, with the svcmap of its folder, and opens no connection', async () => {
    const files = wsdlFiles(FIXTURES);
    expect(files.map((file) => relative(FIXTURES, file)).sort()).toEqual([
      'dynamics-ax2012/TEC_STG_PurchOrderService/RoutingService1.wsdl',
      'dynamics-ax2012/TEC_STG_PurchOrderService/xppservice2.wsdl',
      'dynamics-ax2012/TEC_STG_PurchOrderService/xppservice21.wsdl',
      'oracle-ebs/DB_QueryPurchaseOrderEBS/DB_QueryPurchaseOrderEBS.wsdl',
      'oracle-ebs/OA_PurchaseOrderEBS/OA_PurchaseOrderEBS.wsdl',
    ]);
    for (const file of files.filter((path) => path !== AX_WSDL)) {
      const svcmap = join(dirname(file), 'Reference.svcmap');
      const client = await connectSoap(
        SoapConnectionConfig.parse({ wsdl: file, ...(existsSync(svcmap) ? { svcmap } : {}) }),
      );
      clients.push(client);
      expect(renderDescription(client.describe()).length, file).toBeGreaterThan(0);
    }
    expect(connects).not.toHaveBeenCalled();
  });

  it('Dynamics AX 2012: the AIF document service operations, through Reference.svcmap', () => {
    expect(ax.operations()).toEqual([
      'read',
      'getChangedKeys',
      'create',
      'getKeys',
      'update',
      'findKeys',
      'delete',
      'find',
    ]);
    expect(ax.port).toMatchObject({ service: 'RoutingService', port: AX_PORT, soapVersion: '1.1' });
    const description = ax.describe();
    expect(description.services[0]?.ports.map((port) => `${port.name}: ${port.operations.length}`)).toEqual([
      'serviceEndpoint: 0',
      `${AX_PORT}: 8`,
    ]);
    const read = input(description, 'read');
    expect(read.element).toBe('TEC_STG_PurchOrderServiceReadRequest');
    expect(field(read.fields, 'EntityKeyList', 'EntityKey', 'KeyData', 'KeyField')).toMatchObject({
      kind: 'complex',
      repeated: true,
      fields: [
        { kind: 'simple', name: 'Field', type: 'xsd:string' },
        { kind: 'simple', name: 'Value', type: 'xsd:string' },
      ],
    });
    const create = input(description, 'create');
    expect(field(create.fields, 'TEC_STG_PurchOrder', 'TEC_STG_PurchTable')).toMatchObject({
      kind: 'complex',
      repeated: true,
    });
    expect(field(create.fields, 'TEC_STG_PurchOrder', 'DocPurpose')).toMatchObject({
      kind: 'simple',
      type: 'AxdEnum_XMLDocPurpose',
      base: 'xs:string',
      enumeration: ['Original', 'Duplicate', 'Proforma'],
    });
    // An xs:union of AX's shared types: node-soap gives no shape for it.
    expect(field(create.fields, 'TEC_STG_PurchOrder', 'TEC_STG_PurchTable', 'PurchID')).toMatchObject({
      kind: 'untyped',
    });
    expect(input(description, 'find').fields.map((entry) => entry.name)).toEqual(['QueryCriteria']);
  });

  it('Dynamics AX 2012: without the svcmap, the first remote import is refused, naming it and its file', async () => {
    const error = await connectSoap(SoapConnectionConfig.parse({ wsdl: AX_WSDL }), { name: 'ax' }).catch(
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({
      file: AX_WSDL,
      line: 17,
      key: 'connectors.ax.importMap',
      message:
        'import "http://smurfette.oyezstraker.co.uk:82/MicrosoftDynamicsAXAif60/TECPurchOrderService/xppservice.svc?wsdl=wsdl0" is neither a local file nor mapped to one, and erpbridge does not fetch it; map it to a local file under importMap (or list it in the svcmap)',
    });
    expect(connects).not.toHaveBeenCalled();
  });

  describe('Dynamics AX 2012 against a local server', () => {
    const callContext = [
      {
        value: { CallContext: { Company: 'dat', Language: 'en-us' } },
        prefix: 'dyn',
        namespace: 'http://schemas.microsoft.com/dynamics/2010/01/datacontracts',
      },
    ];
    const key = {
      EntityKeyList: { EntityKey: [{ KeyData: { KeyField: [{ Field: 'PurchId', Value: '000123' }] } }] },
    };

    it('reads a purchase order: SOAPAction, CallContext header and the AX document as result', async () => {
      server.reply(() => ({
        body: soapEnvelope(
          '<TEC_STG_PurchOrderServiceReadResponse xmlns="http://tempuri.org"><TEC_STG_PurchOrder xmlns="http://schemas.microsoft.com/dynamics/2008/01/documents/TEC_STG_PurchOrder">' +
            '<DocPurpose>Original</DocPurpose><SenderId>dat</SenderId><TEC_STG_PurchTable class="entity"><Order_Total_Net>1234.50</Order_Total_Net><PurchID>000123</PurchID><RecId>5637144576</RecId></TEC_STG_PurchTable>' +
            '</TEC_STG_PurchOrder></TEC_STG_PurchOrderServiceReadResponse>',
        ),
      }));
      const { result } = await ax.call('read', key, { soapHeaders: callContext });
      // RecId is AxdExtType_RecId, derived from xs:long: node-soap converts only built-in types, so it stays text.
      expect(result).toEqual({
        TEC_STG_PurchOrder: {
          DocPurpose: 'Original',
          SenderId: 'dat',
          TEC_STG_PurchTable: [
            {
              attributes: { class: 'entity' },
              Order_Total_Net: '1234.50',
              PurchID: '000123',
              RecId: '5637144576',
            },
          ],
        },
      });
      const request = server.requests.at(-1);
      expect(request?.headers.soapaction).toBe('"http://tempuri.org/TEC_STG_PurchOrderService/read"');
      expect(request?.body).toContain('<dyn:Company>dat</dyn:Company>');
      expect(request?.body).toContain(
        '<ek:KeyData><ek:KeyField><ek:Field>PurchId</ek:Field><ek:Value>000123</ek:Value></ek:KeyField></ek:KeyData>',
      );
    });

    it('an AIF fault becomes an ErpError carrying the infolog', async () => {
      server.reply(() => ({
        status: 500,
        body: soapFault11(
          's:Client',
          'Request Failed. See the Exception Log for details.',
          aifFaultDetail([['Error', 'No valid document identified from the entity key']]),
        ),
      }));
      const error = await ax
        .call('read', key, { soapHeaders: callContext })
        .catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(SoapFaultError);
      expect(error).toMatchObject({
        kind: 'validation',
        message: 'No valid document identified from the entity key',
      });
      expect(error instanceof ErpError && error.context.hint).toContain(
        'the AX AIF exception log has the details',
      );
    });
  });

  it('Oracle EBS DB adapter (queryByExample): abstract, its port type described', async () => {
    const client = await connectSoap(SoapConnectionConfig.parse({ wsdl: DB_QUERY }), { name: 'ebs' });
    clients.push(client);
    const description = client.describe();
    expect(description.services).toEqual([]);
    expect(description.jcaBinding).toBe('DB_QueryPurchaseOrderEBS_db.jca');
    expect(
      description.abstractPortTypes.map((portType) => [
        portType.name,
        portType.operations.map((entry) => entry.name),
      ]),
    ).toEqual([['DB_QueryPurchaseOrderEBS_ptt', ['queryByExample']]]);
    const query = input(description, 'queryByExample');
    expect(query.element).toBe('PoHeadersAll');
    expect(field(query.fields, 'poHeaderId')).toMatchObject({ kind: 'simple', type: 'xs:decimal' });
    expect(field(query.fields, 'segment1')).toMatchObject({
      kind: 'simple',
      type: 'xs:string',
      facets: ['maxLength'],
    });
    expect(field(query.fields, 'poLinesAllCollection', 'PoLinesAll')).toMatchObject({
      kind: 'complex',
      repeated: true,
    });
    expect(operation(description, 'queryByExample').output?.element).toBe('PoHeadersAllCollection');
  });

  it('Oracle EBS apps adapter (insert): one-way, abstract; a call says why it cannot be made', async () => {
    const client = await connectSoap(
      SoapConnectionConfig.parse({ wsdl: OA_INSERT, endpoint: 'http://127.0.0.1:1/' }),
      { name: 'ebs' },
    );
    clients.push(client);
    const description = client.describe();
    const insert = operation(description, 'insert');
    expect(insert.output).toBeNull();
    expect(field(insert.input?.fields, 'PoHeadersInterface')).toMatchObject({
      kind: 'complex',
      repeated: true,
    });
    expect(field(insert.input?.fields, 'PoHeadersInterface', 'interfaceHeaderId')).toMatchObject({
      type: 'xs:decimal',
    });
    const error = await client.call('insert', {}).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({
      kind: 'permanent',
      message: 'cannot call insert: the WSDL has no port with a SOAP binding and operations (it is abstract)',
      context: {
        hint: 'Oracle SOA binds this WSDL to the JCA adapter OA_PurchaseOrderEBS_apps.jca inside its composite; point connectors.ebs.wsdl at the concrete WSDL the composite exposes (…/soa-infra/services/<partition>/<composite>/<service>?WSDL)',
      },
    });
    expect(renderDescription(description).split('\n').slice(0, 5)).toEqual([
      `WSDL ${OA_INSERT} (2 documents)`,
      'abstract port type OA_PurchaseOrderEBS_ptt: no SOAP binding (Oracle SOA binds it to the JCA adapter OA_PurchaseOrderEBS_apps.jca); described, not callable',
      '  operation insert',
      '    input PoHeadersInterfaceCollection',
      '      PoHeadersInterface[]',
    ]);
    expect(connects).not.toHaveBeenCalled();
  });
});
