/**
 * The WSDLs of the oracle-ebs personality: the database adapter's query-by-example services (with
 * their schemas of PO_HEADERS_ALL → PO_LINES_ALL → PO_LINE_LOCATIONS_ALL and AP_SUPPLIERS →
 * AP_SUPPLIER_SITES_ALL, every column optional and nillable, as the adapter generates them) and
 * the Integrated SOA Gateway's PL/SQL service XX_PO_HEADER_PUB (InputParameters/OutputParameters,
 * SOAHeader).
 */
import { columnType, HEADER_COLUMNS, LINE_COLUMNS, LINE_LOCATION_COLUMNS } from './ebs-mapping.ts';
import { SUPPLIER_COLUMNS, SUPPLIER_SITE_COLUMNS, supplierColumnType } from './ebs-supplier-mapping.ts';
import { wsdlDocument, xsdElement, xsdSchema, xsdSequenceElement, xsdSequenceType } from './wsdl-builder.ts';
import { element } from './xml-writer.ts';

/** The adapter's schema namespace (`top`), where the table elements live. */
export const EBS_QUERY_TOP_NAMESPACE =
  'http://xmlns.oracle.com/pcbpel/adapter/db/top/DB_QueryPurchaseOrderEBS';
/** The query service's WSDL namespace. */
export const EBS_QUERY_NAMESPACE =
  'http://xmlns.oracle.com/pcbpel/adapter/db/PurchaseOrderEBS/DB_QueryPurchaseOrderEBS';
/** The supplier query's schema namespace (`top`). */
export const EBS_SUPPLIER_TOP_NAMESPACE = 'http://xmlns.oracle.com/pcbpel/adapter/db/top/DB_QuerySupplierEBS';
/** The supplier query's WSDL namespace. */
export const EBS_SUPPLIER_NAMESPACE =
  'http://xmlns.oracle.com/pcbpel/adapter/db/SupplierEBS/DB_QuerySupplierEBS';
/** The PL/SQL service's namespace (its SOAHeader lives here). */
export const EBS_UPDATE_NAMESPACE = 'http://xmlns.oracle.com/apps/po/soaprovider/plsql/xx_po_header_pub/';
/** The namespace of UPDATE_PO_HEADER's InputParameters and OutputParameters. */
export const EBS_UPDATE_PARAMETERS_NAMESPACE = `${EBS_UPDATE_NAMESPACE}update_po_header/`;

function columns(names: readonly string[]) {
  return names.map((name) => xsdElement(name, `xsd:${columnType(name)}`, { min: 0, nillable: true }));
}

/** The query service's WSDL, its endpoint at `location`. */
export function ebsQueryWsdl(location: string): string {
  const schema = xsdSchema(
    EBS_QUERY_TOP_NAMESPACE,
    [
      element('xsd:element', null, { name: 'PoHeadersAllCollection', type: 'top:PoHeadersAllCollection' }),
      element('xsd:element', null, { name: 'PoHeadersAll', type: 'top:PoHeadersAll' }),
      xsdSequenceType('PoHeadersAllCollection', [
        xsdElement('PoHeadersAll', 'top:PoHeadersAll', { min: 0, max: 'unbounded' }),
      ]),
      xsdSequenceType('PoHeadersAll', [
        ...columns(HEADER_COLUMNS),
        element(
          'xsd:element',
          xsdSequenceType(null, [xsdElement('PoLinesAll', 'top:PoLinesAll', { min: 0, max: 'unbounded' })]),
          { name: 'poLinesAllCollection', minOccurs: '0' },
        ),
      ]),
      xsdSequenceType('PoLinesAll', [
        ...columns(LINE_COLUMNS),
        xsdElement('poLineLocationsAll', 'top:PoLineLocationsAll', { min: 0, nillable: true }),
      ]),
      xsdSequenceType('PoLineLocationsAll', columns(LINE_LOCATION_COLUMNS)),
      xsdSequenceElement('QueryControl', [
        xsdElement('maxRows', 'xsd:int', { min: 0 }),
        xsdElement('afterPoHeaderId', 'xsd:decimal', { min: 0 }),
      ]),
      xsdSequenceElement('QueryStatus', [
        xsdElement('rowCount', 'xsd:int'),
        xsdElement('hasMore', 'xsd:boolean'),
        xsdElement('lastPoHeaderId', 'xsd:decimal', { min: 0 }),
      ]),
    ],
    { qualified: true, namespaces: { top: EBS_QUERY_TOP_NAMESPACE } },
  );
  return wsdlDocument({
    name: 'DB_QueryPurchaseOrderEBS',
    targetNamespace: EBS_QUERY_NAMESPACE,
    namespaces: { top: EBS_QUERY_TOP_NAMESPACE },
    schemas: [schema],
    interfaces: [
      {
        portType: 'DB_QueryPurchaseOrderEBS_ptt',
        binding: 'DB_QueryPurchaseOrderEBS_pttBinding',
        service: 'DB_QueryPurchaseOrderEBS',
        port: 'DB_QueryPurchaseOrderEBS_pt',
        location,
        operations: [
          {
            name: 'queryByExample',
            soapAction: 'queryByExample',
            input: 'top:PoHeadersAll',
            output: 'top:PoHeadersAllCollection',
            inputHeader: 'top:QueryControl',
            outputHeader: 'top:QueryStatus',
          },
        ],
      },
    ],
  });
}

/** The supplier query's WSDL (AP_SUPPLIERS with AP_SUPPLIER_SITES_ALL), its endpoint at `location`. */
export function ebsSupplierQueryWsdl(location: string): string {
  const supplierColumns = (names: readonly string[]) =>
    names.map((name) => xsdElement(name, `xsd:${supplierColumnType(name)}`, { min: 0, nillable: true }));
  const schema = xsdSchema(
    EBS_SUPPLIER_TOP_NAMESPACE,
    [
      element('xsd:element', null, { name: 'ApSuppliersCollection', type: 'top:ApSuppliersCollection' }),
      element('xsd:element', null, { name: 'ApSuppliers', type: 'top:ApSuppliers' }),
      xsdSequenceType('ApSuppliersCollection', [
        xsdElement('ApSuppliers', 'top:ApSuppliers', { min: 0, max: 'unbounded' }),
      ]),
      xsdSequenceType('ApSuppliers', [
        ...supplierColumns(SUPPLIER_COLUMNS),
        element(
          'xsd:element',
          xsdSequenceType(null, [
            xsdElement('ApSupplierSitesAll', 'top:ApSupplierSitesAll', { min: 0, max: 'unbounded' }),
          ]),
          { name: 'apSupplierSitesAllCollection', minOccurs: '0' },
        ),
      ]),
      xsdSequenceType('ApSupplierSitesAll', supplierColumns(SUPPLIER_SITE_COLUMNS)),
      xsdSequenceElement('QueryControl', [
        xsdElement('maxRows', 'xsd:int', { min: 0 }),
        xsdElement('afterVendorId', 'xsd:decimal', { min: 0 }),
      ]),
      xsdSequenceElement('QueryStatus', [
        xsdElement('rowCount', 'xsd:int'),
        xsdElement('hasMore', 'xsd:boolean'),
        xsdElement('lastVendorId', 'xsd:decimal', { min: 0 }),
      ]),
    ],
    { qualified: true, namespaces: { top: EBS_SUPPLIER_TOP_NAMESPACE } },
  );
  return wsdlDocument({
    name: 'DB_QuerySupplierEBS',
    targetNamespace: EBS_SUPPLIER_NAMESPACE,
    namespaces: { top: EBS_SUPPLIER_TOP_NAMESPACE },
    schemas: [schema],
    interfaces: [
      {
        portType: 'DB_QuerySupplierEBS_ptt',
        binding: 'DB_QuerySupplierEBS_pttBinding',
        service: 'DB_QuerySupplierEBS',
        port: 'DB_QuerySupplierEBS_pt',
        location,
        operations: [
          {
            name: 'queryByExample',
            soapAction: 'queryByExample',
            input: 'top:ApSuppliers',
            output: 'top:ApSuppliersCollection',
            inputHeader: 'top:QueryControl',
            outputHeader: 'top:QueryStatus',
          },
        ],
      },
    ],
  });
}

/** The PL/SQL service's WSDL, its endpoint at `location`. */
export function ebsUpdateWsdl(location: string): string {
  const header = xsdSchema(
    EBS_UPDATE_NAMESPACE,
    [
      xsdSequenceElement(
        'SOAHeader',
        ['Responsibility', 'RespApplication', 'SecurityGroup', 'NLSLanguage', 'Org_Id'].map((name) =>
          xsdElement(name, 'xsd:string', { min: 0 }),
        ),
      ),
    ],
    { qualified: true },
  );
  const parameters = xsdSchema(
    EBS_UPDATE_PARAMETERS_NAMESPACE,
    [
      xsdSequenceElement('InputParameters', [
        xsdElement('P_PO_HEADER_ID', 'xsd:decimal', { min: 0, nillable: true }),
        xsdElement('P_LAST_UPDATE_DATE', 'xsd:dateTime', { min: 0, nillable: true }),
        xsdElement('P_ATTRIBUTE1', 'xsd:string', { min: 0, nillable: true }),
        xsdElement('P_NOTE_TO_VENDOR', 'xsd:string', { min: 0, nillable: true }),
      ]),
      xsdSequenceElement('OutputParameters', [
        xsdElement('X_RETURN_STATUS', 'xsd:string', { min: 0, nillable: true }),
        xsdElement('X_MSG_COUNT', 'xsd:decimal', { min: 0, nillable: true }),
        xsdElement('X_MSG_DATA', 'xsd:string', { min: 0, nillable: true }),
        xsdElement('X_LAST_UPDATE_DATE', 'xsd:dateTime', { min: 0, nillable: true }),
      ]),
    ],
    { qualified: true },
  );
  return wsdlDocument({
    name: 'XX_PO_HEADER_PUB',
    targetNamespace: EBS_UPDATE_NAMESPACE,
    namespaces: { upd: EBS_UPDATE_PARAMETERS_NAMESPACE },
    schemas: [header, parameters],
    interfaces: [
      {
        portType: 'XX_PO_HEADER_PUB_PortType',
        binding: 'XX_PO_HEADER_PUB_Binding',
        service: 'XX_PO_HEADER_PUB_Service',
        port: 'XX_PO_HEADER_PUB_Port',
        location,
        operations: [
          {
            name: 'UPDATE_PO_HEADER',
            soapAction: `${EBS_UPDATE_NAMESPACE}update_po_header/`,
            input: 'upd:InputParameters',
            output: 'upd:OutputParameters',
            inputHeader: 'tns:SOAHeader',
          },
        ],
      },
    ],
  });
}
