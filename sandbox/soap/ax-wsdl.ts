/**
 * The WSDL of the dynamics-ax personality's AIF document service, in one document (the flat form
 * WCF serves at `?singleWsdl`): the service's request/response elements, the PurchaseOrder
 * document schema (AxdPurchaseOrder → PurchTable → PurchLine, DocuRefHeader; every field optional
 * and nillable, entities with `class="entity"` and an `action`), and AIF's shared schemas —
 * EntityKeyList/EntityKey, QueryCriteria, DocumentPaging, EntityKeyPage, AifFault, CallContext.
 */
import { AIF_FAULT_NAMESPACE, AX_FRAMEWORK_NAMESPACE } from './ax-fault.ts';
import { axFieldType, DOCU_REF_FIELDS, PURCH_LINE_FIELDS, PURCH_TABLE_FIELDS } from './ax-mapping.ts';
import { wsdlDocument, xsdElement, xsdSchema, xsdSequenceElement, xsdSequenceType } from './wsdl-builder.ts';
import { element, type Markup } from './xml-writer.ts';

export const AX_SERVICES_NAMESPACE = 'http://schemas.microsoft.com/dynamics/2008/01/services';
export const AX_DOCUMENT_NAMESPACE = 'http://schemas.microsoft.com/dynamics/2008/01/documents/PurchaseOrder';
export const ENTITY_KEY_LIST_NAMESPACE =
  'http://schemas.microsoft.com/dynamics/2006/02/documents/EntityKeyList';
export const ENTITY_KEY_NAMESPACE = 'http://schemas.microsoft.com/dynamics/2006/02/documents/EntityKey';
export const QUERY_CRITERIA_NAMESPACE =
  'http://schemas.microsoft.com/dynamics/2006/02/documents/QueryCriteria';
export const DOCUMENT_PAGING_NAMESPACE =
  'http://schemas.microsoft.com/dynamics/2011/02/documents/DocumentPaging';
export const ENTITY_KEY_PAGE_NAMESPACE =
  'http://schemas.microsoft.com/dynamics/2011/02/documents/EntityKeyPage';
export const CALL_CONTEXT_NAMESPACE = 'http://schemas.microsoft.com/dynamics/2010/01/datacontracts';

/** The AIF operations, with the request's parameter elements and the response's. */
export const AX_OPERATIONS = [
  { name: 'create', request: ['doc:PurchaseOrder'], response: ['ekl:EntityKeyList'] },
  { name: 'delete', request: ['ekl:EntityKeyList'], response: [] },
  { name: 'find', request: ['qc:QueryCriteria'], response: ['doc:PurchaseOrder'] },
  { name: 'findKeys', request: ['qc:QueryCriteria'], response: ['ekl:EntityKeyList'] },
  {
    name: 'getChangedKeys',
    request: ['dp:DocumentPaging', '_changedDateTime'],
    response: ['ekp:EntityKeyPage'],
  },
  { name: 'getKeys', request: ['dp:DocumentPaging'], response: ['ekp:EntityKeyPage'] },
  { name: 'read', request: ['ekl:EntityKeyList'], response: ['doc:PurchaseOrder'] },
  { name: 'update', request: ['ekl:EntityKeyList', 'doc:PurchaseOrder'], response: [] },
] as const;

const capitalised = (name: string) => `${name[0]?.toUpperCase() ?? ''}${name.slice(1)}`;

/** `PurchaseOrderService<Operation>Request` / `...Response`. */
export function axMessageElement(operation: string, role: 'Request' | 'Response'): string {
  return `PurchaseOrderService${capitalised(operation)}${role}`;
}

function parameterElement(reference: string): Markup {
  if (reference === '_changedDateTime') return xsdElement('_changedDateTime', 'xsd:dateTime', { min: 0 });
  return element('xsd:element', null, { ref: reference, minOccurs: '0' });
}

function entityFields(fields: readonly string[]): Markup[] {
  return fields.map((field) => {
    const type = axFieldType(field);
    return xsdElement(field, type === 'string' ? 'xsd:string' : `xsd:${type}`, { min: 0, nillable: true });
  });
}

const entityAttributes = [
  element('xsd:attribute', null, { name: 'class', type: 'xsd:string', fixed: 'entity', use: 'required' }),
  element('xsd:attribute', null, { name: 'action', type: 'doc:AxdEnum_AxdEntityAction' }),
];

/** The service's WSDL, its endpoint at `location`. */
export function axWsdl(location: string): string {
  const services = xsdSchema(
    AX_SERVICES_NAMESPACE,
    AX_OPERATIONS.flatMap((operation) => [
      xsdSequenceElement(
        axMessageElement(operation.name, 'Request'),
        operation.request.map(parameterElement),
      ),
      xsdSequenceElement(
        axMessageElement(operation.name, 'Response'),
        operation.response.map(parameterElement),
      ),
    ]),
    {
      qualified: true,
      namespaces: {
        doc: AX_DOCUMENT_NAMESPACE,
        ekl: ENTITY_KEY_LIST_NAMESPACE,
        qc: QUERY_CRITERIA_NAMESPACE,
        dp: DOCUMENT_PAGING_NAMESPACE,
        ekp: ENTITY_KEY_PAGE_NAMESPACE,
      },
      imports: [
        AX_DOCUMENT_NAMESPACE,
        ENTITY_KEY_LIST_NAMESPACE,
        QUERY_CRITERIA_NAMESPACE,
        DOCUMENT_PAGING_NAMESPACE,
        ENTITY_KEY_PAGE_NAMESPACE,
      ],
    },
  );
  const document = xsdSchema(
    AX_DOCUMENT_NAMESPACE,
    [
      element('xsd:element', null, { name: 'PurchaseOrder', type: 'doc:AxdPurchaseOrder' }),
      xsdSequenceType('AxdPurchaseOrder', [
        xsdElement('DocPurpose', 'xsd:string', { min: 0, nillable: true }),
        xsdElement('SenderId', 'xsd:string', { min: 0, nillable: true }),
        xsdElement('PurchTable', 'doc:AxdEntity_PurchTable', { min: 0, max: 'unbounded' }),
      ]),
      xsdSequenceType(
        'AxdEntity_PurchTable',
        [
          ...entityFields(PURCH_TABLE_FIELDS),
          xsdElement('DocuRefHeader', 'doc:AxdEntity_DocuRefHeader', { min: 0, max: 'unbounded' }),
          xsdElement('PurchLine', 'doc:AxdEntity_PurchLine', { min: 0, max: 'unbounded' }),
        ],
        entityAttributes,
      ),
      xsdSequenceType('AxdEntity_PurchLine', entityFields(PURCH_LINE_FIELDS), entityAttributes),
      xsdSequenceType('AxdEntity_DocuRefHeader', entityFields(DOCU_REF_FIELDS), entityAttributes),
      element(
        'xsd:simpleType',
        element(
          'xsd:restriction',
          ['create', 'update', 'replace', 'delete'].map((value) =>
            element('xsd:enumeration', null, { value }),
          ),
          { base: 'xsd:string' },
        ),
        { name: 'AxdEnum_AxdEntityAction' },
      ),
    ],
    { qualified: true, namespaces: { doc: AX_DOCUMENT_NAMESPACE } },
  );
  return wsdlDocument({
    name: 'PurchaseOrderService',
    targetNamespace: AX_SERVICES_NAMESPACE,
    namespaces: { f: AIF_FAULT_NAMESPACE, cc: CALL_CONTEXT_NAMESPACE },
    schemas: [services, document, ...aifSharedSchemas()],
    interfaces: [
      {
        portType: 'PurchaseOrderService',
        binding: 'BasicHttpBinding_PurchaseOrderService',
        service: 'RoutingService',
        port: 'BasicHttpBinding_PurchaseOrderService',
        location,
        operations: AX_OPERATIONS.map((operation) => ({
          name: operation.name,
          soapAction: `${AX_SERVICES_NAMESPACE}/PurchaseOrderService/${operation.name}`,
          input: `tns:${axMessageElement(operation.name, 'Request')}`,
          output: `tns:${axMessageElement(operation.name, 'Response')}`,
          inputHeader: 'cc:CallContext',
          fault: { name: 'AifFaultFault', element: 'f:AifFault' },
        })),
      },
    ],
  });
}

/**
 * AIF's schemas every document service's WSDL carries: EntityKey, EntityKeyList, QueryCriteria,
 * DocumentPaging, EntityKeyPage, the framework's InfologMessage, AifFault and CallContext.
 */
export function aifSharedSchemas(): Markup[] {
  const entityKey = xsdSchema(
    ENTITY_KEY_NAMESPACE,
    [
      element('xsd:element', null, { name: 'EntityKey', type: 'ek:EntityKey' }),
      xsdSequenceType('EntityKey', [xsdElement('KeyData', 'ek:KeyData')]),
      xsdSequenceType('KeyData', [xsdElement('KeyField', 'ek:KeyField', { max: 'unbounded' })]),
      xsdSequenceType('KeyField', [xsdElement('Field', 'xsd:string'), xsdElement('Value', 'xsd:string')]),
    ],
    { qualified: true, namespaces: { ek: ENTITY_KEY_NAMESPACE } },
  );
  const entityKeyList = xsdSchema(
    ENTITY_KEY_LIST_NAMESPACE,
    [
      element('xsd:element', null, { name: 'EntityKeyList', type: 'ekl:EntityKeyList' }),
      xsdSequenceType('EntityKeyList', [
        element('xsd:element', null, { ref: 'ek:EntityKey', minOccurs: '0', maxOccurs: 'unbounded' }),
      ]),
    ],
    {
      qualified: true,
      namespaces: { ekl: ENTITY_KEY_LIST_NAMESPACE, ek: ENTITY_KEY_NAMESPACE },
      imports: [ENTITY_KEY_NAMESPACE],
    },
  );
  const queryCriteria = xsdSchema(
    QUERY_CRITERIA_NAMESPACE,
    [
      element('xsd:element', null, { name: 'QueryCriteria', type: 'qc:QueryCriteria' }),
      xsdSequenceType('QueryCriteria', [
        xsdElement('CriteriaElement', 'qc:CriteriaElement', { max: 'unbounded' }),
      ]),
      xsdSequenceType('CriteriaElement', [
        xsdElement('DataSourceName', 'xsd:string'),
        xsdElement('FieldName', 'xsd:string'),
        xsdElement('Operator', 'qc:Operator'),
        xsdElement('Value1', 'xsd:string'),
        xsdElement('Value2', 'xsd:string', { min: 0 }),
      ]),
      element(
        'xsd:simpleType',
        element(
          'xsd:restriction',
          ['Equal', 'NotEqual', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual', 'Range'].map((value) =>
            element('xsd:enumeration', null, { value }),
          ),
          { base: 'xsd:string' },
        ),
        { name: 'Operator' },
      ),
    ],
    { qualified: true, namespaces: { qc: QUERY_CRITERIA_NAMESPACE } },
  );
  const paging = xsdSchema(
    DOCUMENT_PAGING_NAMESPACE,
    [
      element('xsd:element', null, { name: 'DocumentPaging', type: 'dp:DocumentPaging' }),
      xsdSequenceType('DocumentPaging', [
        xsdElement('Bookmark', 'xsd:string', { min: 0, nillable: true }),
        xsdElement('PageSize', 'xsd:int'),
      ]),
    ],
    { qualified: true, namespaces: { dp: DOCUMENT_PAGING_NAMESPACE } },
  );
  const keyPage = xsdSchema(
    ENTITY_KEY_PAGE_NAMESPACE,
    [
      element('xsd:element', null, { name: 'EntityKeyPage', type: 'ekp:EntityKeyPage' }),
      xsdSequenceType('EntityKeyPage', [
        element('xsd:element', null, { ref: 'ekl:EntityKeyList', minOccurs: '0' }),
        element('xsd:element', null, { ref: 'dp:DocumentPaging', minOccurs: '0' }),
        xsdElement('PageStatus', 'ekp:EntityKeyPageStatus'),
        xsdElement('PageStatusDetails', 'ekp:EntityKeyPageStatusDetails'),
      ]),
      element(
        'xsd:simpleType',
        element(
          'xsd:restriction',
          ['Success', 'Failure'].map((value) => element('xsd:enumeration', null, { value })),
          { base: 'xsd:string' },
        ),
        { name: 'EntityKeyPageStatus' },
      ),
      element(
        'xsd:simpleType',
        element(
          'xsd:restriction',
          ['None', 'DocumentFiltersChanged', 'ChangeTrackingDisabled', 'ChangedDateTimeOutOfRange'].map(
            (value) => element('xsd:enumeration', null, { value }),
          ),
          { base: 'xsd:string' },
        ),
        { name: 'EntityKeyPageStatusDetails' },
      ),
    ],
    {
      qualified: true,
      namespaces: {
        ekp: ENTITY_KEY_PAGE_NAMESPACE,
        ekl: ENTITY_KEY_LIST_NAMESPACE,
        dp: DOCUMENT_PAGING_NAMESPACE,
      },
      imports: [ENTITY_KEY_LIST_NAMESPACE, DOCUMENT_PAGING_NAMESPACE],
    },
  );
  const framework = xsdSchema(
    AX_FRAMEWORK_NAMESPACE,
    [
      xsdSequenceType('ArrayOfInfologMessage', [
        xsdElement('InfologMessage', 'fw:InfologMessage', { min: 0, max: 'unbounded', nillable: true }),
      ]),
      xsdSequenceType('InfologMessage', [
        xsdElement('InfologMessageType', 'fw:InfologMessageType', { min: 0 }),
        xsdElement('Message', 'xsd:string', { min: 0, nillable: true }),
      ]),
      element(
        'xsd:simpleType',
        element(
          'xsd:restriction',
          ['Info', 'Warning', 'Error'].map((value) => element('xsd:enumeration', null, { value })),
          { base: 'xsd:string' },
        ),
        { name: 'InfologMessageType' },
      ),
    ],
    { qualified: true, namespaces: { fw: AX_FRAMEWORK_NAMESPACE } },
  );
  const fault = xsdSchema(
    AIF_FAULT_NAMESPACE,
    [
      element('xsd:element', null, { name: 'AifFault', type: 'f:AifFault', nillable: 'true' }),
      xsdSequenceType('AifFault', [
        xsdElement('CustomDetailXml', 'xsd:string', { min: 0, nillable: true }),
        xsdElement('FaultMessageListArray', 'f:ArrayOfFaultMessageList', { min: 0, nillable: true }),
        xsdElement('InfologMessageList', 'fw:ArrayOfInfologMessage', { min: 0, nillable: true }),
        xsdElement('StackTrace', 'xsd:string', { min: 0, nillable: true }),
        xsdElement('XppExceptionType', 'xsd:int', { min: 0 }),
      ]),
      xsdSequenceType('ArrayOfFaultMessageList', [
        xsdElement('FaultMessageList', 'f:FaultMessageList', { min: 0, max: 'unbounded', nillable: true }),
      ]),
      xsdSequenceType(
        'FaultMessageList',
        [
          'Document',
          'DocumentOperation',
          'FaultMessageArray',
          'Field',
          'Service',
          'ServiceOperation',
          'ServiceOperationParameter',
          'XPath',
          'XmlLine',
          'XmlPosition',
        ].map((name) =>
          xsdElement(name, name === 'FaultMessageArray' ? 'f:ArrayOfFaultMessage' : 'xsd:string', {
            min: 0,
            nillable: true,
          }),
        ),
      ),
      xsdSequenceType('ArrayOfFaultMessage', [
        xsdElement('FaultMessage', 'f:FaultMessage', { min: 0, max: 'unbounded', nillable: true }),
      ]),
      xsdSequenceType('FaultMessage', [
        xsdElement('Code', 'xsd:string', { min: 0, nillable: true }),
        xsdElement('Message', 'xsd:string', { min: 0, nillable: true }),
      ]),
    ],
    {
      qualified: true,
      namespaces: { f: AIF_FAULT_NAMESPACE, fw: AX_FRAMEWORK_NAMESPACE },
      imports: [AX_FRAMEWORK_NAMESPACE],
    },
  );
  const callContext = xsdSchema(
    CALL_CONTEXT_NAMESPACE,
    [
      xsdSequenceElement(
        'CallContext',
        ['Company', 'Language', 'LogonAsUser', 'MessageId', 'PartitionKey'].map((name) =>
          xsdElement(name, 'xsd:string', { min: 0, nillable: true }),
        ),
      ),
    ],
    { qualified: true },
  );
  return [entityKey, entityKeyList, queryCriteria, paging, keyPage, framework, fault, callContext];
}
