/**
 * oracle-ebs, reading suppliers: `DB_QuerySupplierEBS`, a database-adapter query-by-example over
 * AP_SUPPLIERS with AP_SUPPLIER_SITES_ALL — the way an EBS site reads its supplier master into SOA
 * Suite (the Integrated SOA Gateway's supplier API, AP_VENDOR_PUB_PKG, creates and updates but
 * does not query). The example's supplier columns must be equal (numbers as numbers); the answer
 * is an `ApSuppliersCollection` in VENDOR_ID order. Paged like the purchase-order query: the SOAP
 * header `QueryControl` (`maxRows` up to 1000, `afterVendorId`) and the answer's `QueryStatus`.
 */
import type { SupplierRecord } from '../records.ts';
import type { SupplierRepository } from '../supplier-repository.ts';
import type { Row } from './ebs-mapping.ts';
import { EBS_MAX_ROWS, EBS_STYLE } from './ebs-query-service.ts';
import {
  SUPPLIER_COLUMNS,
  type SupplierColumn,
  supplierColumnType,
  supplierSiteRow,
  supplierValues,
  vendorIdOf,
} from './ebs-supplier-mapping.ts';
import { EBS_SUPPLIER_TOP_NAMESPACE, ebsSupplierQueryWsdl } from './ebs-wsdl.ts';
import { isSoapFault, type SoapFault, soapFault } from './soap-envelope.ts';
import { bodyResult, faultResult, type SoapOperation, type SoapService } from './soap-service.ts';
import { childNamed, childText, isNil, type XmlElement, XSI_NAMESPACE } from './xml-document.ts';
import { element, fragment, leafElements, type Markup } from './xml-writer.ts';

/** The composite's service endpoint on the SOA server. */
export const EBS_SUPPLIER_QUERY_PATH = '/soa-infra/services/default/SupplierEBS/DB_QuerySupplierEBS';

const SUPPLIER_COLUMN_SET: ReadonlySet<string> = new Set(SUPPLIER_COLUMNS);

function isSupplierColumn(name: string): name is SupplierColumn {
  return SUPPLIER_COLUMN_SET.has(name);
}

/** The example's conditions: each given column must equal its value. */
function readConditions(example: XmlElement): Array<(record: SupplierRecord) => boolean> | SoapFault {
  const conditions: Array<(record: SupplierRecord) => boolean> = [];
  for (const child of example.children) {
    if (!isSupplierColumn(child.local)) {
      return soapFault('Client', `ApSuppliers has no column "${child.local}" this service can query.`);
    }
    const text = child.text.trim();
    if (isNil(child) || text === '') continue;
    const column = child.local;
    if (supplierColumnType(column) === 'decimal') {
      const wanted = Number(text);
      if (!Number.isFinite(wanted)) return soapFault('Client', `${column} must be a number, got "${text}".`);
      conditions.push((record) => Number(supplierValues(record)[column]) === wanted);
    } else {
      conditions.push((record) => supplierValues(record)[column] === text);
    }
  }
  return conditions;
}

function readQueryControl(
  header: XmlElement | null,
): { maxRows: number; afterVendorId: number } | null | SoapFault {
  const control = header === null ? null : childNamed(header, 'QueryControl', EBS_SUPPLIER_TOP_NAMESPACE);
  if (control === null) return null;
  const maxRowsText = childText(control, 'maxRows') ?? '';
  const afterText = childText(control, 'afterVendorId') ?? '';
  const maxRows = maxRowsText === '' ? EBS_MAX_ROWS : Number(maxRowsText);
  const afterVendorId = afterText === '' ? 0 : Number(afterText);
  if (!Number.isInteger(maxRows) || maxRows < 1 || maxRows > EBS_MAX_ROWS) {
    return soapFault(
      'Client',
      `QueryControl/maxRows must be a whole number from 1 to ${EBS_MAX_ROWS}, got "${maxRowsText}".`,
    );
  }
  if (!Number.isSafeInteger(afterVendorId) || afterVendorId < 0) {
    return soapFault('Client', `QueryControl/afterVendorId must be a VENDOR_ID, got "${afterText}".`);
  }
  return { maxRows, afterVendorId };
}

/** A row's columns, NULL ones left out (the adapter's elements are optional). */
function rowMarkup(row: Row): Markup {
  return leafElements(row);
}

function supplierMarkup(record: SupplierRecord): Markup {
  const values = supplierValues(record);
  const row: Row = SUPPLIER_COLUMNS.map((column) => [column, values[column]] as const);
  const sites = element('apSupplierSitesAllCollection', [
    element('ApSupplierSitesAll', rowMarkup(supplierSiteRow(record))),
  ]);
  return element('ApSuppliers', fragment([rowMarkup(row), sites]));
}

const SCAN_BATCH = 500;

/** Suppliers after `afterVendorId`, in VENDOR_ID order (supplier ids are zero-padded, so text order is numeric). */
function* suppliersAfter(suppliers: SupplierRepository, afterVendorId: number): Iterable<SupplierRecord> {
  for (let offset = 0; ; offset += SCAN_BATCH) {
    const batch = suppliers.list(offset, SCAN_BATCH);
    for (const record of batch) if (vendorIdOf(record.supplier_id) > afterVendorId) yield record;
    if (batch.length < SCAN_BATCH) return;
  }
}

/** Creates the supplier query service. */
export function createEbsSupplierService(suppliers: SupplierRepository): SoapService {
  const queryByExample: SoapOperation = {
    name: 'queryByExample',
    kind: 'reads',
    handle({ request }) {
      const conditions = readConditions(request.body);
      if (isSoapFault(conditions)) return faultResult(conditions);
      const control = readQueryControl(request.header);
      if (control !== null && isSoapFault(control)) return faultResult(control);
      const limit = control?.maxRows ?? EBS_MAX_ROWS;
      const found: SupplierRecord[] = [];
      for (const record of suppliersAfter(suppliers, control?.afterVendorId ?? 0)) {
        if (!conditions.every((matches) => matches(record))) continue;
        found.push(record);
        if (found.length > limit) break;
      }
      const hasMore = found.length > limit;
      if (hasMore && control === null) {
        return faultResult(
          soapFault(
            'Client',
            `The query matches more than ${EBS_MAX_ROWS} suppliers; page through them with the QueryControl header (maxRows, afterVendorId).`,
          ),
        );
      }
      const page = found.slice(0, limit);
      const last = page.at(-1);
      const collection = element('ApSuppliersCollection', page.map(supplierMarkup), {
        xmlns: EBS_SUPPLIER_TOP_NAMESPACE,
        'xmlns:xsi': XSI_NAMESPACE,
      });
      const status = element(
        'QueryStatus',
        [
          element('rowCount', page.length),
          element('hasMore', hasMore ? 'true' : 'false'),
          ...(last === undefined ? [] : [element('lastVendorId', vendorIdOf(last.supplier_id))]),
        ],
        { xmlns: EBS_SUPPLIER_TOP_NAMESPACE },
      );
      return bodyResult(collection, { header: status });
    },
  };

  return {
    name: 'DB_QuerySupplierEBS',
    path: EBS_SUPPLIER_QUERY_PATH,
    style: EBS_STYLE,
    operations: [queryByExample.name],
    wsdlPaths: [],
    dispatch(body) {
      if (body.local === 'ApSuppliers' && body.namespace === EBS_SUPPLIER_TOP_NAMESPACE)
        return queryByExample;
      return soapFault(
        'Client',
        `No operation takes <${body.local}> in "${body.namespace}"; queryByExample takes ApSuppliers.`,
      );
    },
    wsdl: (baseUrl) => ebsSupplierQueryWsdl(`${baseUrl}${EBS_SUPPLIER_QUERY_PATH}`),
    wsdlUrl: (baseUrl) => `${baseUrl}${EBS_SUPPLIER_QUERY_PATH}?WSDL`,
  };
}
