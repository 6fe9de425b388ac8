import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDescription } from './render-description.ts';
import { connectSoap, type SoapClient } from './soap-client.ts';
import { SoapConnectionConfig } from './soap-config.ts';
import { parseSimpleType } from './soap-description.ts';

describe('parseSimpleType', () => {
  it.each([
    ['xs:string', { type: 'xs:string', base: undefined, enumeration: [], facets: [] }],
    ['xs:string|maxLength', { type: 'xs:string', base: undefined, enumeration: [], facets: ['maxLength'] }],
    [
      'string|maxLength,pattern',
      { type: 'string', base: undefined, enumeration: [], facets: ['maxLength', 'pattern'] },
    ],
    ['xs:string|A,B', { type: 'xs:string', base: undefined, enumeration: ['A', 'B'], facets: [] }],
    [
      'AxdEnum_boolean|xs:string|false,true',
      { type: 'AxdEnum_boolean', base: 'xs:string', enumeration: ['false', 'true'], facets: [] },
    ],
    [
      'AxdExtType_City|xs:string|minLength,maxLength',
      { type: 'AxdExtType_City', base: 'xs:string', enumeration: [], facets: ['minLength', 'maxLength'] },
    ],
    [
      'AxdType_Decimal|xs:decimal',
      { type: 'AxdType_Decimal', base: 'xs:decimal', enumeration: [], facets: [] },
    ],
    ['char10|string', { type: 'char10', base: 'string', enumeration: [], facets: [] }],
  ])('%s', (text, expected) => {
    expect(parseSimpleType(text)).toEqual(expected);
  });
});

describe('describe and renderDescription', () => {
  let client: SoapClient;
  beforeAll(async () => {
    client = await connectSoap(
      SoapConnectionConfig.parse({ wsdl: resolve(import.meta.dirname, 'test-fixtures/purchase-order.wsdl') }),
    );
  });
  afterAll(() => client.close());

  it('normalises services, ports, operations and shapes', () => {
    const description = client.describe();
    expect(
      description.services.map((service) => [
        service.name,
        service.ports.map((port) => `${port.name} ${port.soapVersion}`),
      ]),
    ).toEqual([['PurchaseOrderService', ['PurchaseOrderSoap 1.1', 'PurchaseOrderSoap12 1.2']]]);
    const [getDetail, change, notify] = description.services[0]?.ports[0]?.operations ?? [];
    expect(getDetail).toMatchObject({
      name: 'BAPI_PO_GETDETAIL1',
      soapAction: 'urn:sap-com:document:sap:rfc:functions:BAPI_PO_GETDETAIL1',
      style: 'document',
      input: {
        element: 'BAPI_PO_GETDETAIL1',
        namespace: 'urn:sap-com:document:sap:rfc:functions',
        fields: [
          {
            kind: 'simple',
            name: 'PURCHASEORDER',
            repeated: false,
            type: 'char10',
            base: 'xsd:string',
            facets: ['maxLength'],
          },
        ],
      },
    });
    expect(getDetail?.output?.fields.map((field) => field.name)).toEqual(['POHEADER', 'RETURN']);
    expect(change?.input?.fields[1]).toMatchObject({ kind: 'complex', name: 'POHEADER', repeated: false });
    expect(notify?.output).toBeNull();
    expect(description.abstractPortTypes).toEqual([]);
  });

  it('renders a tree a person can read', () => {
    expect(
      renderDescription(client.describe(), { operation: 'BAPI_PO_GETDETAIL1' }).split('\n').slice(0, 24),
    ).toEqual([
      `WSDL ${resolve(import.meta.dirname, 'test-fixtures/purchase-order.wsdl')} (2 documents)`,
      'service PurchaseOrderService',
      '  port PurchaseOrderSoap: SOAP 1.1, binding PurchaseOrderSoap, address http://192.0.2.1:8000/sap/bc/srt/rfc/sap/zpurchaseorder',
      '    operation BAPI_PO_GETDETAIL1  (SOAPAction urn:sap-com:document:sap:rfc:functions:BAPI_PO_GETDETAIL1)',
      '      input BAPI_PO_GETDETAIL1',
      '        PURCHASEORDER: char10 (xsd:string; maxLength)',
      '      output BAPI_PO_GETDETAIL1Response',
      '        POHEADER',
      '          PO_NUMBER: char10 (xsd:string; maxLength)',
      '          VENDOR: char10 (xsd:string; maxLength)',
      '          PRIORITY: priority (xsd:string; one of 1, 2, 3, 4)',
      '          CREAT_DATE: xsd:date',
      '          NET_VALUE: xsd:decimal',
      '          ITEM_COUNT: xsd:int',
      '        RETURN',
      '          item[]',
      '            TYPE: xsd:string',
      '            ID: xsd:string',
      '            NUMBER: xsd:string',
      '            MESSAGE: xsd:string',
      '            PARAMETER: xsd:string',
      '            ROW: xsd:int',
      '            FIELD: xsd:string',
      '  port PurchaseOrderSoap12: SOAP 1.2, binding PurchaseOrderSoap12, address http://192.0.2.1:8000/sap/bc/srt/rfc/sap/zpurchaseorder',
    ]);
    expect(
      renderDescription(client.describe(), { operation: 'PO_CHANGE_NOTIFY', maxDepth: 0 })
        .split('\n')
        .slice(3, 7),
    ).toEqual([
      '    operation PO_CHANGE_NOTIFY  (SOAPAction urn:sap-com:document:sap:rfc:functions:PO_CHANGE_NOTIFY)',
      '      input PO_CHANGE_NOTIFY',
      '        … 1 field',
      '      output: none (one-way)',
    ]);
  });
});
