/**
 * The dynamics-ax personality's vendor service: VendVendTableService (`VendTableService`) on the
 * integration port `VendTableService`, read operations only — find, findKeys (QueryCriteria on
 * VendTable), getKeys (DocumentPaging) and read (EntityKeyList). It serves the sandbox's suppliers
 * as AX vendors, so a client of the AIF services can read the supplier figures (lead time, on-time
 * delivery) that the purchase orders alone do not carry. Behind the same NTLM as the order service;
 * every error is an AifFault.
 */
import { parseDecimalComma } from '../legacy-format.ts';
import type { SupplierRecord } from '../records.ts';
import type { SupplierRepository } from '../supplier-repository.ts';
import { holds, isOperator } from './ax-document-service.ts';
import { aifFault } from './ax-fault.ts';
import { AX_COMPANY } from './ax-mapping.ts';
import {
  AX_VENDOR_DOCUMENT_NAMESPACE,
  AX_VENDOR_OPERATIONS,
  AX_VENDOR_SERVICE,
  axVendorMessageElement,
  axVendorWsdl,
  VEND_TABLE_FIELDS,
  type VendTableField,
} from './ax-vendor-wsdl.ts';
import {
  AX_SERVICES_NAMESPACE,
  CALL_CONTEXT_NAMESPACE,
  DOCUMENT_PAGING_NAMESPACE,
  ENTITY_KEY_LIST_NAMESPACE,
  ENTITY_KEY_NAMESPACE,
  ENTITY_KEY_PAGE_NAMESPACE,
  QUERY_CRITERIA_NAMESPACE,
} from './ax-wsdl.ts';
import { canonicalDecimal, decimalOf } from './record-formats.ts';
import { type EnvelopeStyle, isSoapFault, type SoapFault, soapFault } from './soap-envelope.ts';
import {
  bodyResult,
  faultResult,
  type SoapOperation,
  type SoapResult,
  type SoapService,
} from './soap-service.ts';
import { childNamed, childrenNamed, childText, isNil, type XmlElement } from './xml-document.ts';
import { element, type Markup } from './xml-writer.ts';

/** The vendor integration port's endpoint. */
export const AX_VENDOR_SERVICE_PATH = '/MicrosoftDynamicsAXAif60/VendTableService/xppservice.svc';

const STYLE: EnvelopeStyle = { prefix: 's', faultLanguage: 'en-US' };
const DOCUMENT = 'Vendor';
const KEY_FIELD = 'AccountNum';
const MAX_DOCUMENTS = 1000;
const FIRST_RECID = 5_637_150_000;

type FaultOf = (...messages: string[]) => SoapFault;

/** A supplier as AX's VendTable (with its party's name and country). */
export interface VendTableValues {
  fields: Record<VendTableField, string>;
  name: string;
  country: string;
}

/** The vendor fields of a sandbox supplier: lead time in days, on-time delivery in percent (`87.5`). */
export function vendTable(supplier: SupplierRecord): VendTableValues {
  return {
    fields: {
      AccountNum: supplier.supplier_id,
      LeadTime: String(Number(supplier.lead_time_days.trim())),
      OnTimeDeliveryPct: canonicalDecimal(decimalOf(parseDecimalComma(supplier.on_time_pct, 1), 1)),
      RecId: String(FIRST_RECID + Number(supplier.supplier_id)),
      // Suppliers never change in the sandbox.
      RecVersion: '1',
    },
    name: supplier.name.trim(),
    country: supplier.country.trim(),
  };
}

function compareAs(field: VendTableField) {
  const numeric = field !== 'AccountNum';
  return (value: string, other: string): number => {
    if (numeric) return Math.sign(Number(value) - Number(other));
    const left = value.trim().toUpperCase();
    const right = other.trim().toUpperCase();
    return left < right ? -1 : left > right ? 1 : 0;
  };
}

/** Ranges on one field OR-ed, fields AND-ed, as for PurchTable. */
function readCriteria(
  query: XmlElement | null,
  faultOf: FaultOf,
): Map<VendTableField, Array<(value: string) => boolean>> | SoapFault {
  const elements = query === null ? [] : childrenNamed(query, 'CriteriaElement', QUERY_CRITERIA_NAMESPACE);
  if (elements.length === 0) return faultOf('The query criteria must contain at least one criteria element.');
  const byField = new Map<VendTableField, Array<(value: string) => boolean>>();
  for (const criterion of elements) {
    const dataSource = childText(criterion, 'DataSourceName') ?? '';
    const fieldName = childText(criterion, 'FieldName') ?? '';
    const operator = childText(criterion, 'Operator') ?? '';
    const value1 = childText(criterion, 'Value1') ?? '';
    const value2 = childText(criterion, 'Value2') ?? '';
    if (dataSource.toLowerCase() !== 'vendtable') {
      return faultOf(
        `The data source ${dataSource} is not valid for the document ${DOCUMENT}; query VendTable.`,
      );
    }
    const field = VEND_TABLE_FIELDS.find(
      ([name]) => name.toLowerCase() === fieldName.trim().toLowerCase(),
    )?.[0];
    if (field === undefined) return faultOf(`Field ${fieldName} does not exist in table VendTable.`);
    if (!isOperator(operator)) return faultOf(`Operator ${operator} is not valid.`);
    const compare = compareAs(field);
    const tests = byField.get(field) ?? [];
    tests.push((value) => holds(operator, compare, value, value1, value2));
    byField.set(field, tests);
  }
  return byField;
}

function keyList(accounts: readonly string[]): Markup {
  return element(
    'EntityKeyList',
    accounts.map((account) =>
      element(
        'EntityKey',
        element('KeyData', element('KeyField', [element('Field', KEY_FIELD), element('Value', account)])),
        { xmlns: ENTITY_KEY_NAMESPACE },
      ),
    ),
    { xmlns: ENTITY_KEY_LIST_NAMESPACE },
  );
}

function documentMarkup(vendors: readonly VendTableValues[]): Markup {
  return element(
    DOCUMENT,
    vendors.map((vendor) =>
      element(
        'VendTable',
        [
          ...VEND_TABLE_FIELDS.map(([field]) => element(field, vendor.fields[field])),
          element(
            'DirParty',
            [
              element('Name', vendor.name),
              element(
                'DirPartyPostalAddressView',
                [element('CountryRegionId', vendor.country), element('IsPrimary', 'Yes')],
                { class: 'entity' },
              ),
            ],
            { class: 'entity' },
          ),
        ],
        { class: 'entity' },
      ),
    ),
    { xmlns: AX_VENDOR_DOCUMENT_NAMESPACE },
  );
}

function response(operation: string, content: Markup): Markup {
  return element(axVendorMessageElement(operation, 'Response'), content, { xmlns: AX_SERVICES_NAMESPACE });
}

/** Creates the vendor service over the sandbox's suppliers. */
export function createAxVendorService(suppliers: SupplierRepository): SoapService {
  const all = (): VendTableValues[] => suppliers.list(0, suppliers.count()).map(vendTable);
  const matching = (criteria: Map<VendTableField, Array<(value: string) => boolean>>) =>
    all().filter((vendor) =>
      [...criteria].every(([field, tests]) => tests.some((test) => test(vendor.fields[field]))),
    );

  const handlers: Record<
    (typeof AX_VENDOR_OPERATIONS)[number]['name'],
    (body: XmlElement, faultOf: FaultOf) => SoapResult
  > = {
    find(body, faultOf) {
      const criteria = readCriteria(childNamed(body, 'QueryCriteria', QUERY_CRITERIA_NAMESPACE), faultOf);
      if (isSoapFault(criteria)) return faultResult(criteria);
      const found = matching(criteria);
      if (found.length > MAX_DOCUMENTS) {
        return faultResult(
          faultOf(
            `The query returns more than ${MAX_DOCUMENTS} vendors; use findKeys and read the documents in batches.`,
          ),
        );
      }
      return bodyResult(response('find', documentMarkup(found)));
    },
    findKeys(body, faultOf) {
      const criteria = readCriteria(childNamed(body, 'QueryCriteria', QUERY_CRITERIA_NAMESPACE), faultOf);
      if (isSoapFault(criteria)) return faultResult(criteria);
      return bodyResult(
        response('findKeys', keyList(matching(criteria).map((vendor) => vendor.fields.AccountNum))),
      );
    },
    getKeys(body, faultOf) {
      const paging = childNamed(body, 'DocumentPaging', DOCUMENT_PAGING_NAMESPACE);
      const sizeText = paging === null ? '' : (childText(paging, 'PageSize') ?? '');
      const pageSize = Number(sizeText);
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_DOCUMENTS) {
        return faultResult(
          faultOf(`DocumentPaging/PageSize must be from 1 to ${MAX_DOCUMENTS}; got '${sizeText}'.`),
        );
      }
      const bookmarkElement =
        paging === null ? null : childNamed(paging, 'Bookmark', DOCUMENT_PAGING_NAMESPACE);
      const bookmark = bookmarkElement === null || isNil(bookmarkElement) ? '' : bookmarkElement.text.trim();
      // The bookmark is the offset of the next page, base64 as AX's are opaque.
      const offset = bookmark === '' ? 0 : Number(Buffer.from(bookmark, 'base64').toString('utf8'));
      if (!Number.isSafeInteger(offset) || offset < 0) {
        return faultResult(faultOf('The bookmark is not valid; start again without one.'));
      }
      const page = suppliers.list(offset, pageSize + 1);
      const accounts = page.slice(0, pageSize).map((supplier) => supplier.supplier_id);
      const next =
        page.length > pageSize ? Buffer.from(String(offset + pageSize), 'utf8').toString('base64') : null;
      return bodyResult(
        response(
          'getKeys',
          element(
            'EntityKeyPage',
            [
              keyList(accounts),
              ...(next === null
                ? []
                : [
                    element('DocumentPaging', [element('Bookmark', next), element('PageSize', pageSize)], {
                      xmlns: DOCUMENT_PAGING_NAMESPACE,
                    }),
                  ]),
              element('PageStatus', 'Success'),
              element('PageStatusDetails', 'None'),
            ],
            { xmlns: ENTITY_KEY_PAGE_NAMESPACE },
          ),
        ),
      );
    },
    read(body, faultOf) {
      const list = childNamed(body, 'EntityKeyList', ENTITY_KEY_LIST_NAMESPACE);
      const keys = list === null ? [] : childrenNamed(list, 'EntityKey', ENTITY_KEY_NAMESPACE);
      if (keys.length > MAX_DOCUMENTS)
        return faultResult(faultOf(`Read at most ${MAX_DOCUMENTS} documents at a time.`));
      const vendors: VendTableValues[] = [];
      for (const key of keys) {
        const fields = childrenNamed(
          childNamed(key, 'KeyData', ENTITY_KEY_NAMESPACE) ?? key,
          'KeyField',
          ENTITY_KEY_NAMESPACE,
        );
        const keyField = fields.find(
          (field) => (childText(field, 'Field') ?? '').toLowerCase() === 'accountnum',
        );
        if (keyField === undefined || fields.length !== 1) {
          return faultResult(
            faultOf(`The entity key must name exactly one field, ${KEY_FIELD}, for table VendTable.`),
          );
        }
        const supplier = suppliers.get(childText(keyField, 'Value') ?? '');
        if (supplier === null)
          return faultResult(faultOf('No valid document identified from the entity key.'));
        vendors.push(vendTable(supplier));
      }
      return bodyResult(response('read', documentMarkup(vendors)));
    },
  };

  const operations = new Map<string, SoapOperation>(
    AX_VENDOR_OPERATIONS.map(({ name }) => {
      const operation: SoapOperation = {
        name,
        kind: 'reads',
        handle({ request }) {
          const faultOf: FaultOf = (...messages) =>
            aifFault(messages, { service: AX_VENDOR_SERVICE, operation: name, document: DOCUMENT });
          const context =
            request.header === null
              ? null
              : childNamed(request.header, 'CallContext', CALL_CONTEXT_NAMESPACE);
          const company = context === null ? '' : (childText(context, 'Company') ?? '');
          if (company !== '' && company.toUpperCase() !== AX_COMPANY) {
            return faultResult(faultOf(`Company '${company}' does not exist.`));
          }
          return handlers[name](request.body, faultOf);
        },
      };
      return [axVendorMessageElement(name, 'Request'), operation];
    }),
  );

  return {
    name: AX_VENDOR_SERVICE,
    path: AX_VENDOR_SERVICE_PATH,
    style: STYLE,
    operations: AX_VENDOR_OPERATIONS.map(({ name }) => name),
    wsdlPaths: [],
    dispatch(body) {
      const operation = body.namespace === AX_SERVICES_NAMESPACE ? operations.get(body.local) : undefined;
      return (
        operation ??
        soapFault(
          'Client',
          `The message with body element '${body.local}' cannot be processed at the receiver: ${AX_VENDOR_SERVICE} has no such operation.`,
        )
      );
    },
    wsdl: (baseUrl) => axVendorWsdl(`${baseUrl}${AX_VENDOR_SERVICE_PATH}`),
    wsdlUrl: (baseUrl) => `${baseUrl}${AX_VENDOR_SERVICE_PATH}?wsdl`,
  };
}
