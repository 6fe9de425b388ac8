/**
 * The WSDL of the dynamics-ax personality's vendor service: VendVendTableService (external name
 * `VendTableService`, document AxdVendor) on an integration port of its own, exposing only the
 * read operations erpbridge uses — an AX administrator picks a port's service operations. The
 * document is `Vendor` → `VendTable` → `DirParty` (the vendor's organisation in the global address
 * book: its name) → `DirPartyPostalAddressView` (its address: the country). `LeadTime` and
 * `OnTimeDeliveryPct` are the site's own VendTable fields (standard AX 2012 keeps neither on the
 * vendor), added to the table and to the AxdVendor query as sites do.
 */

import { AIF_FAULT_NAMESPACE } from './ax-fault.ts';
import {
  AX_SERVICES_NAMESPACE,
  aifSharedSchemas,
  CALL_CONTEXT_NAMESPACE,
  DOCUMENT_PAGING_NAMESPACE,
  ENTITY_KEY_LIST_NAMESPACE,
  ENTITY_KEY_PAGE_NAMESPACE,
  QUERY_CRITERIA_NAMESPACE,
} from './ax-wsdl.ts';
import { wsdlDocument, xsdElement, xsdSchema, xsdSequenceElement, xsdSequenceType } from './wsdl-builder.ts';
import { element, type Markup } from './xml-writer.ts';

export const AX_VENDOR_DOCUMENT_NAMESPACE = 'http://schemas.microsoft.com/dynamics/2008/01/documents/Vendor';

/** The service's external name, as its message elements and SOAP actions spell it. */
export const AX_VENDOR_SERVICE = 'VendTableService';

/** The VendTable fields, in the document schema's order, with their schema types. */
export const VEND_TABLE_FIELDS = [
  ['AccountNum', 'xsd:string'],
  ['LeadTime', 'xsd:int'],
  ['OnTimeDeliveryPct', 'xsd:decimal'],
  ['RecId', 'xsd:long'],
  ['RecVersion', 'xsd:int'],
] as const;
export type VendTableField = (typeof VEND_TABLE_FIELDS)[number][0];

/** The operations this port exposes, with their request and response parameter elements. */
export const AX_VENDOR_OPERATIONS = [
  { name: 'find', request: ['qc:QueryCriteria'], response: ['doc:Vendor'] },
  { name: 'findKeys', request: ['qc:QueryCriteria'], response: ['ekl:EntityKeyList'] },
  { name: 'getKeys', request: ['dp:DocumentPaging'], response: ['ekp:EntityKeyPage'] },
  { name: 'read', request: ['ekl:EntityKeyList'], response: ['doc:Vendor'] },
] as const;

/** `VendTableService<Operation>Request` / `...Response`. */
export function axVendorMessageElement(operation: string, role: 'Request' | 'Response'): string {
  return `${AX_VENDOR_SERVICE}${operation[0]?.toUpperCase() ?? ''}${operation.slice(1)}${role}`;
}

const entityAttributes = [
  element('xsd:attribute', null, { name: 'class', type: 'xsd:string', fixed: 'entity', use: 'required' }),
  element('xsd:attribute', null, { name: 'action', type: 'xsd:string' }),
];

const nillable = (name: string, type: string) => xsdElement(name, type, { min: 0, nillable: true });

/** The vendor service's WSDL, its endpoint at `location`. */
export function axVendorWsdl(location: string): string {
  const services = xsdSchema(
    AX_SERVICES_NAMESPACE,
    AX_VENDOR_OPERATIONS.flatMap((operation) =>
      (['Request', 'Response'] as const).map((role) =>
        xsdSequenceElement(
          axVendorMessageElement(operation.name, role),
          (role === 'Request' ? operation.request : operation.response).map((reference) =>
            element('xsd:element', null, { ref: reference, minOccurs: '0' }),
          ),
        ),
      ),
    ),
    {
      qualified: true,
      namespaces: {
        doc: AX_VENDOR_DOCUMENT_NAMESPACE,
        ekl: ENTITY_KEY_LIST_NAMESPACE,
        qc: QUERY_CRITERIA_NAMESPACE,
        dp: DOCUMENT_PAGING_NAMESPACE,
        ekp: ENTITY_KEY_PAGE_NAMESPACE,
      },
      imports: [
        AX_VENDOR_DOCUMENT_NAMESPACE,
        ENTITY_KEY_LIST_NAMESPACE,
        QUERY_CRITERIA_NAMESPACE,
        DOCUMENT_PAGING_NAMESPACE,
        ENTITY_KEY_PAGE_NAMESPACE,
      ],
    },
  );
  const document: Markup = xsdSchema(
    AX_VENDOR_DOCUMENT_NAMESPACE,
    [
      element('xsd:element', null, { name: 'Vendor', type: 'doc:AxdVendor' }),
      xsdSequenceType('AxdVendor', [
        nillable('DocPurpose', 'xsd:string'),
        nillable('SenderId', 'xsd:string'),
        xsdElement('VendTable', 'doc:AxdEntity_VendTable', { min: 0, max: 'unbounded' }),
      ]),
      xsdSequenceType(
        'AxdEntity_VendTable',
        [
          ...VEND_TABLE_FIELDS.map(([name, type]) => nillable(name, type)),
          xsdElement('DirParty', 'doc:AxdEntity_DirParty', { min: 0, max: 'unbounded' }),
        ],
        entityAttributes,
      ),
      xsdSequenceType(
        'AxdEntity_DirParty',
        [
          nillable('Name', 'xsd:string'),
          xsdElement('DirPartyPostalAddressView', 'doc:AxdEntity_DirPartyPostalAddressView', {
            min: 0,
            max: 'unbounded',
          }),
        ],
        entityAttributes,
      ),
      xsdSequenceType(
        'AxdEntity_DirPartyPostalAddressView',
        [nillable('CountryRegionId', 'xsd:string'), nillable('IsPrimary', 'xsd:string')],
        entityAttributes,
      ),
    ],
    { qualified: true, namespaces: { doc: AX_VENDOR_DOCUMENT_NAMESPACE } },
  );
  return wsdlDocument({
    name: AX_VENDOR_SERVICE,
    targetNamespace: AX_SERVICES_NAMESPACE,
    namespaces: { f: AIF_FAULT_NAMESPACE, cc: CALL_CONTEXT_NAMESPACE },
    schemas: [services, document, ...aifSharedSchemas()],
    interfaces: [
      {
        portType: AX_VENDOR_SERVICE,
        binding: `BasicHttpBinding_${AX_VENDOR_SERVICE}`,
        service: 'RoutingService',
        port: `BasicHttpBinding_${AX_VENDOR_SERVICE}`,
        location,
        operations: AX_VENDOR_OPERATIONS.map((operation) => ({
          name: operation.name,
          soapAction: `${AX_SERVICES_NAMESPACE}/${AX_VENDOR_SERVICE}/${operation.name}`,
          input: `tns:${axVendorMessageElement(operation.name, 'Request')}`,
          output: `tns:${axVendorMessageElement(operation.name, 'Response')}`,
          inputHeader: 'cc:CallContext',
          fault: { name: 'AifFaultFault', element: 'f:AifFault' },
        })),
      },
    ],
  });
}
