/**
 * The dynamics-ax personality: the AIF document service `PurchaseOrderService` on an integration
 * port at `/MicrosoftDynamicsAXAif60/PurchOrderService/xppservice.svc`, behind Windows
 * authentication (ntlm-guard.ts). Implemented: find (QueryCriteria), findKeys, read
 * (EntityKeyList), getKeys and getChangedKeys (DocumentPaging with a bookmark), and update
 * (optimistic concurrency on RecVersion or _DocumentHash). create and delete answer an AifFault:
 * the sandbox's orders cannot be created or deleted. Every error is an AifFault.
 */
import type { PatchOutcome, PatchRequest } from '../purchase-order-patch.ts';
import { etagOf } from '../record-version.ts';
import { FIELD_WIDTHS, PO_STATUSES, type PoStatus, type PurchaseOrderRecord } from '../records.ts';
import { aifFault, UPDATE_CONFLICT_MESSAGE } from './ax-fault.ts';
import {
  AX_COMPANY,
  axFieldType,
  DOCU_REF_FIELDS,
  docuRefHeader,
  PURCH_LINE_FIELDS,
  PURCH_STATUS,
  PURCH_TABLE_FIELDS,
  type PurchTableField,
  priorityOfPool,
  purchLine,
  purchTable,
} from './ax-mapping.ts';
import {
  AX_DOCUMENT_NAMESPACE,
  AX_OPERATIONS,
  AX_SERVICES_NAMESPACE,
  axMessageElement,
  axWsdl,
  CALL_CONTEXT_NAMESPACE,
  DOCUMENT_PAGING_NAMESPACE,
  ENTITY_KEY_LIST_NAMESPACE,
  ENTITY_KEY_NAMESPACE,
  ENTITY_KEY_PAGE_NAMESPACE,
  QUERY_CRITERIA_NAMESPACE,
} from './ax-wsdl.ts';
import type { PurchaseOrderSource } from './purchase-order-source.ts';
import { type EnvelopeStyle, isSoapFault, type SoapFault, soapFault } from './soap-envelope.ts';
import {
  bodyResult,
  faultResult,
  type SoapOperation,
  type SoapResult,
  type SoapService,
} from './soap-service.ts';
import {
  attributeValue,
  childNamed,
  childrenNamed,
  childText,
  isNil,
  type XmlElement,
} from './xml-document.ts';
import { element, fragment, leafElements, type Markup } from './xml-writer.ts';

/** The integration port's endpoint on the AOS's IIS. */
export const AX_SERVICE_PATH = '/MicrosoftDynamicsAXAif60/PurchOrderService/xppservice.svc';
/** The most documents `find` answers, and the largest page `getKeys`/`getChangedKeys` serve. */
export const AX_MAX_DOCUMENTS = 1000;

const AX_STYLE: EnvelopeStyle = { prefix: 's', faultLanguage: 'en-US' };
const SERVICE_NAME = 'PurchaseOrderService';
const DOCUMENT_NAME = 'PurchaseOrder';
const KEY_FIELD = 'PurchId';

/** What the service needs. */
export interface AxDependencies {
  orders: PurchaseOrderSource;
  patch: (request: PatchRequest) => PatchOutcome;
}

type Comparison = (value: string, other: string) => number;

function comparisonFor(field: string): Comparison {
  switch (axFieldType(field)) {
    case 'date':
      return (value, other) => value.slice(0, 10).localeCompare(other.slice(0, 10));
    case 'string':
      // AX compares strings case-insensitively (its SQL Server collation does).
      return (value, other) => {
        const left = value.trim().toUpperCase();
        const right = other.trim().toUpperCase();
        return left < right ? -1 : left > right ? 1 : 0;
      };
    default:
      return (value, other) => Math.sign(Number(value) - Number(other));
  }
}

function validFor(field: string, value: string): boolean {
  switch (axFieldType(field)) {
    case 'date':
      return /^\d{4}-\d{2}-\d{2}/.test(value);
    case 'string':
      return true;
    default:
      return value.trim() !== '' && Number.isFinite(Number(value));
  }
}

export const OPERATORS = [
  'Equal',
  'NotEqual',
  'Greater',
  'GreaterOrEqual',
  'Less',
  'LessOrEqual',
  'Range',
] as const;
export type Operator = (typeof OPERATORS)[number];

export function isOperator(value: string): value is Operator {
  return OPERATORS.some((operator) => operator === value);
}

/** Whether `value` passes one QueryCriteria element (shared with the vendor service). */
export function holds(
  operator: Operator,
  compare: Comparison,
  value: string,
  value1: string,
  value2: string,
): boolean {
  const order = compare(value, value1);
  switch (operator) {
    case 'Equal':
      return order === 0;
    case 'NotEqual':
      return order !== 0;
    case 'Greater':
      return order > 0;
    case 'GreaterOrEqual':
      return order >= 0;
    case 'Less':
      return order < 0;
    case 'LessOrEqual':
      return order <= 0;
    case 'Range':
      return order >= 0 && compare(value, value2) <= 0;
  }
}

const QUERY_FIELDS: ReadonlySet<string> = new Set(
  PURCH_TABLE_FIELDS.filter((field) => field !== '_DocumentHash'),
);

function isQueryField(field: string): field is Exclude<PurchTableField, '_DocumentHash'> {
  return QUERY_FIELDS.has(field);
}

/** A parsed QueryCriteria: ranges on one field are OR-ed, fields AND-ed, as AX query ranges are. */
interface Criteria {
  byField: Map<PurchTableField, Array<(value: string) => boolean>>;
  /** A PurchId the criteria pin down, so one record is read instead of a scan. */
  purchId: string | null;
  /** The one status a sole `PurchStatus Equal` pins the orders to, so only those are scanned. */
  status: PoStatus | null;
  /** True when PurchStatus is all the criteria ask: the matching keys are those of `status`. */
  statusOnly: boolean;
}

/** The sandbox status whose PurchStatus is `value` (AX compares enum names case-insensitively). */
function statusOfPurchStatus(value: string): PoStatus | null {
  const wanted = value.trim().toLowerCase();
  return PO_STATUSES.find((status) => PURCH_STATUS[status].toLowerCase() === wanted) ?? null;
}

function canonicalField(name: string): PurchTableField | null {
  return PURCH_TABLE_FIELDS.find((field) => field.toLowerCase() === name.trim().toLowerCase()) ?? null;
}

/** `faultOf(messages)` builds the operation's AifFault. */
type FaultOf = (...messages: string[]) => SoapFault;

function readCriteria(query: XmlElement | null, faultOf: FaultOf): Criteria | SoapFault {
  const byField = new Map<PurchTableField, Array<(value: string) => boolean>>();
  let purchId: string | null = null;
  let status: PoStatus | null = null;
  const elements = query === null ? [] : childrenNamed(query, 'CriteriaElement', QUERY_CRITERIA_NAMESPACE);
  if (elements.length === 0) return faultOf('The query criteria must contain at least one criteria element.');
  for (const criterion of elements) {
    const dataSource = childText(criterion, 'DataSourceName') ?? '';
    const fieldName = childText(criterion, 'FieldName') ?? '';
    const operator = childText(criterion, 'Operator') ?? '';
    const value1 = childText(criterion, 'Value1') ?? '';
    const value2 = childText(criterion, 'Value2') ?? '';
    if (dataSource.toLowerCase() !== 'purchtable') {
      return faultOf(
        `The data source ${dataSource} is not valid for the document ${DOCUMENT_NAME}; query PurchTable.`,
      );
    }
    const field = canonicalField(fieldName);
    if (field === null || !isQueryField(field))
      return faultOf(`Field ${fieldName} does not exist in table PurchTable.`);
    if (!isOperator(operator)) return faultOf(`Operator ${operator} is not valid.`);
    if (!validFor(field, value1) || (operator === 'Range' && !validFor(field, value2))) {
      return faultOf(`The value '${value1}' is not valid for field ${field}.`);
    }
    const compare = comparisonFor(field);
    const tests = byField.get(field) ?? [];
    tests.push((value) => holds(operator, compare, value, value1, value2));
    byField.set(field, tests);
    if (field === KEY_FIELD && operator === 'Equal' && elements.length === 1) purchId = value1;
    if (field === 'PurchStatus' && operator === 'Equal') status = statusOfPurchStatus(value1);
  }
  // Two ranges on PurchStatus are OR-ed: only a single Equal narrows the scan.
  if ((byField.get('PurchStatus')?.length ?? 0) > 1) status = null;
  const statusOnly = status !== null && byField.size === 1;
  return { byField, purchId, status, statusOnly };
}

/** An entity's fields in schema order; null fields are left out. */
function entityFields(values: Readonly<Record<string, string | null>>, fields: readonly string[]): Markup {
  return leafElements(fields.map((field) => [field, values[field]] as const));
}

function keyListMarkup(poNumbers: readonly string[]): Markup {
  const keys = poNumbers.map((poNumber) =>
    element(
      'EntityKey',
      element('KeyData', element('KeyField', [element('Field', KEY_FIELD), element('Value', poNumber)])),
      { xmlns: ENTITY_KEY_NAMESPACE },
    ),
  );
  return element('EntityKeyList', keys, { xmlns: ENTITY_KEY_LIST_NAMESPACE });
}

function response(operation: string, content: readonly Markup[]): Markup {
  return element(axMessageElement(operation, 'Response'), fragment(content), {
    xmlns: AX_SERVICES_NAMESPACE,
  });
}

function encodeBookmark(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

function decodeBookmark(bookmark: string): string | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(bookmark)) return null;
  return Buffer.from(bookmark, 'base64').toString('utf8');
}

/** Creates the AIF service. */
export function createAxDocumentService(dependencies: AxDependencies): SoapService {
  const { orders, patch } = dependencies;

  const tableValues = (record: PurchaseOrderRecord) =>
    purchTable(record, orders.supplierName(record.supplier_id));

  const documentMarkup = (records: readonly PurchaseOrderRecord[]): Markup => {
    const tables = records.map((record) => {
      const note = docuRefHeader(record);
      return element(
        'PurchTable',
        [
          entityFields(tableValues(record), PURCH_TABLE_FIELDS),
          ...(note === null
            ? []
            : [element('DocuRefHeader', entityFields(note, DOCU_REF_FIELDS), { class: 'entity' })]),
          ...record.lines.map((line) =>
            element('PurchLine', entityFields(purchLine(record, line), PURCH_LINE_FIELDS), {
              class: 'entity',
            }),
          ),
        ],
        { class: 'entity' },
      );
    });
    return element(DOCUMENT_NAME, tables, { xmlns: AX_DOCUMENT_NAMESPACE });
  };

  const matching = (criteria: Criteria, limit: number): PurchaseOrderRecord[] => {
    const candidates =
      criteria.purchId === null
        ? orders.scan({ status: criteria.status, after: '' })
        : [orders.get(criteria.purchId)].filter((record): record is PurchaseOrderRecord => record !== null);
    const found: PurchaseOrderRecord[] = [];
    for (const record of candidates) {
      const values = tableValues(record);
      const matches = [...criteria.byField].every(([field, tests]) =>
        tests.some((test) => test(values[field] ?? '')),
      );
      if (!matches) continue;
      found.push(record);
      if (found.length >= limit) break;
    }
    return found;
  };

  /** The PurchIds of an EntityKeyList, in order. */
  const readKeys = (list: XmlElement | null, faultOf: FaultOf): string[] | SoapFault => {
    const keys: string[] = [];
    for (const key of list === null ? [] : childrenNamed(list, 'EntityKey', ENTITY_KEY_NAMESPACE)) {
      const fields = childrenNamed(
        childNamed(key, 'KeyData', ENTITY_KEY_NAMESPACE) ?? key,
        'KeyField',
        ENTITY_KEY_NAMESPACE,
      );
      const keyField = fields.find((field) => (childText(field, 'Field') ?? '').toLowerCase() === 'purchid');
      if (keyField === undefined || fields.length !== 1) {
        return faultOf(`The entity key must name exactly one field, ${KEY_FIELD}, for table PurchTable.`);
      }
      keys.push(childText(keyField, 'Value') ?? '');
    }
    return keys;
  };

  const readPaging = (body: XmlElement, faultOf: FaultOf) => {
    const paging = childNamed(body, 'DocumentPaging', DOCUMENT_PAGING_NAMESPACE);
    const sizeText = paging === null ? '' : (childText(paging, 'PageSize') ?? '');
    const pageSize = Number(sizeText);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > AX_MAX_DOCUMENTS) {
      return faultOf(`DocumentPaging/PageSize must be from 1 to ${AX_MAX_DOCUMENTS}; got '${sizeText}'.`);
    }
    const bookmarkElement =
      paging === null ? null : childNamed(paging, 'Bookmark', DOCUMENT_PAGING_NAMESPACE);
    const bookmarkText =
      bookmarkElement === null || isNil(bookmarkElement) ? '' : bookmarkElement.text.trim();
    const bookmark = bookmarkText === '' ? '' : decodeBookmark(bookmarkText);
    if (bookmark === null) return faultOf('The bookmark is not valid; start again without one.');
    return { pageSize, bookmark };
  };

  const keyPage = (operation: string, poNumbers: readonly string[], next: string | null, pageSize: number) =>
    response(operation, [
      element(
        'EntityKeyPage',
        [
          keyListMarkup(poNumbers),
          ...(next === null
            ? []
            : [
                element(
                  'DocumentPaging',
                  [element('Bookmark', encodeBookmark(next)), element('PageSize', pageSize)],
                  {
                    xmlns: DOCUMENT_PAGING_NAMESPACE,
                  },
                ),
              ]),
          element('PageStatus', 'Success'),
          element('PageStatusDetails', 'None'),
        ],
        { xmlns: ENTITY_KEY_PAGE_NAMESPACE },
      ),
    ]);

  type Handler = (body: XmlElement, faultOf: FaultOf) => SoapResult;

  const handlers: Record<(typeof AX_OPERATIONS)[number]['name'], Handler> = {
    find(body, faultOf) {
      const criteria = readCriteria(childNamed(body, 'QueryCriteria', QUERY_CRITERIA_NAMESPACE), faultOf);
      if (isSoapFault(criteria)) return faultResult(criteria);
      const found = matching(criteria, AX_MAX_DOCUMENTS + 1);
      if (found.length > AX_MAX_DOCUMENTS) {
        return faultResult(
          faultOf(
            `The query returns more than ${AX_MAX_DOCUMENTS} purchase orders, more than one message may carry. ` +
              'Narrow the criteria, or use findKeys and read the documents in batches.',
          ),
        );
      }
      return bodyResult(response('find', [documentMarkup(found)]), {
        poNumber: found.length === 1 ? (found[0]?.po_number ?? null) : null,
      });
    },
    findKeys(body, faultOf) {
      const criteria = readCriteria(childNamed(body, 'QueryCriteria', QUERY_CRITERIA_NAMESPACE), faultOf);
      if (isSoapFault(criteria)) return faultResult(criteria);
      // PurchStatus alone is the order's status: its keys need no order read.
      const keys =
        criteria.statusOnly && criteria.status !== null && criteria.purchId === null
          ? orders.keys({ status: criteria.status, after: '' })
          : matching(criteria, Number.MAX_SAFE_INTEGER).map((record) => record.po_number);
      return bodyResult(response('findKeys', [keyListMarkup(keys)]));
    },
    read(body, faultOf) {
      const keys = readKeys(childNamed(body, 'EntityKeyList', ENTITY_KEY_LIST_NAMESPACE), faultOf);
      if (isSoapFault(keys)) return faultResult(keys);
      if (keys.length > AX_MAX_DOCUMENTS)
        return faultResult(faultOf(`Read at most ${AX_MAX_DOCUMENTS} documents at a time.`));
      const found = orders.getMany(keys);
      const records: PurchaseOrderRecord[] = [];
      for (const key of keys) {
        const record = found.get(key);
        if (record === undefined)
          return faultResult(faultOf('No valid document identified from the entity key.'), key);
        records.push(record);
      }
      return bodyResult(response('read', [documentMarkup(records)]), {
        poNumber: records.length === 1 ? (records[0]?.po_number ?? null) : null,
      });
    },
    getKeys(body, faultOf) {
      const paging = readPaging(body, faultOf);
      if (isSoapFault(paging)) return faultResult(paging);
      const page = orders.page({ status: null, after: paging.bookmark }, paging.pageSize + 1);
      const keys = page.slice(0, paging.pageSize).map((record) => record.po_number);
      const next = page.length > paging.pageSize ? (keys.at(-1) ?? null) : null;
      return bodyResult(keyPage('getKeys', keys, next, paging.pageSize));
    },
    getChangedKeys(body, faultOf) {
      const paging = readPaging(body, faultOf);
      if (isSoapFault(paging)) return faultResult(paging);
      const sinceText = childText(body, '_changedDateTime', AX_SERVICES_NAMESPACE) ?? '';
      const since = Date.parse(sinceText);
      if (Number.isNaN(since))
        return faultResult(faultOf(`_changedDateTime must be a date and time; got '${sinceText}'.`));
      const [fromUpdatedAt, fromPoNumber] = paging.bookmark === '' ? [] : paging.bookmark.split('|');
      const from =
        fromUpdatedAt !== undefined && fromPoNumber !== undefined
          ? { updatedAt: fromUpdatedAt, poNumber: fromPoNumber }
          : null;
      const changed = orders.changedSince(new Date(since).toISOString(), from, paging.pageSize + 1);
      const page = changed.slice(0, paging.pageSize);
      const last = page.at(-1);
      const next =
        changed.length > paging.pageSize && last !== undefined ? `${last.updatedAt}|${last.poNumber}` : null;
      return bodyResult(
        keyPage(
          'getChangedKeys',
          page.map((row) => row.poNumber),
          next,
          paging.pageSize,
        ),
      );
    },
    update(body, faultOf) {
      const keys = readKeys(childNamed(body, 'EntityKeyList', ENTITY_KEY_LIST_NAMESPACE), faultOf);
      if (isSoapFault(keys)) return faultResult(keys);
      const document = childNamed(body, DOCUMENT_NAME, AX_DOCUMENT_NAMESPACE);
      const tables = document === null ? [] : childrenNamed(document, 'PurchTable', AX_DOCUMENT_NAMESPACE);
      const [poNumber] = keys;
      const [table] = tables;
      if (keys.length !== 1 || tables.length !== 1 || poNumber === undefined || table === undefined) {
        return faultResult(
          faultOf('Update one purchase order at a time: one entity key and one PurchTable record.'),
        );
      }
      const record = orders.get(poNumber);
      if (record === null)
        return faultResult(faultOf('No valid document identified from the entity key.'), poNumber);
      const action = attributeValue(table, 'action');
      if (action !== null && action !== 'update') {
        return faultResult(
          faultOf(`The action ${action} is not valid for an update of PurchTable.`),
          poNumber,
        );
      }
      if (record.status === 'CANCELLED') {
        return faultResult(
          faultOf(`Purchase order ${poNumber} is canceled and cannot be changed.`),
          poNumber,
        );
      }
      const current = tableValues(record);
      const recVersion = childText(table, 'RecVersion');
      const documentHash = childText(table, '_DocumentHash');
      if (!recVersion && !documentHash) {
        return faultResult(
          faultOf(
            'Update the document as read: send its RecVersion or its _DocumentHash (optimistic concurrency).',
          ),
          poNumber,
        );
      }
      if (
        (recVersion && recVersion !== current.RecVersion) ||
        (documentHash && documentHash !== current._DocumentHash)
      ) {
        return faultResult(faultOf(UPDATE_CONFLICT_MESSAGE), poNumber);
      }

      const changes: { priority?: string; notes?: string } = {};
      for (const field of table.children) {
        if (field.local === 'DocuRefHeader' || field.local === 'PurchLine') continue;
        const name = canonicalField(field.local);
        if (name === null)
          return faultResult(faultOf(`Field ${field.local} does not exist in table PurchTable.`), poNumber);
        if (name === '_DocumentHash' || name === 'RecVersion' || name === 'RecId') continue;
        const value = isNil(field) ? '' : field.text.trim();
        if (name === 'PurchPoolId') {
          const priority = priorityOfPool(value);
          if (priority === null) {
            return faultResult(
              faultOf(
                `The value '${value}' in field 'Pool' is not found in the relating table 'Purchase order pools'.`,
              ),
              poNumber,
            );
          }
          changes.priority = priority;
          continue;
        }
        if (comparisonFor(name)(value, current[name] ?? '') !== 0) {
          return faultResult(
            faultOf(`Field '${name}' in table 'PurchTable' cannot be changed through ${SERVICE_NAME}.`),
            poNumber,
          );
        }
      }
      const notes = childrenNamed(table, 'DocuRefHeader', AX_DOCUMENT_NAMESPACE);
      if (notes.length > 1)
        return faultResult(faultOf('A purchase order carries one note (DocuRefHeader).'), poNumber);
      const [note] = notes;
      if (note !== undefined) {
        const text = childNamed(note, 'Notes', AX_DOCUMENT_NAMESPACE);
        const value = text === null || isNil(text) ? '' : text.text.trim();
        if (value.length > FIELD_WIDTHS.notes) {
          return faultResult(
            faultOf(`The note is ${value.length} characters long; at most ${FIELD_WIDTHS.notes} fit.`),
            poNumber,
          );
        }
        changes.notes = value;
      }
      const lineFault = checkLines(table, record, faultOf);
      if (lineFault !== null) return faultResult(lineFault, poNumber);
      if (changes.priority === undefined && changes.notes === undefined) {
        return bodyResult(response('update', []), { poNumber });
      }
      const outcome = patch({
        poNumber,
        body: changes,
        ifMatch: etagOf(record.updated_at),
        idempotencyKey: null,
      });
      if (outcome.kind !== 'updated')
        return faultResult(faultOf(`The update was refused (${outcome.kind}).`), poNumber);
      return bodyResult(response('update', []), { poNumber, applied: outcome.applied });
    },
    create(_body, faultOf) {
      return faultResult(faultOf(notSupported('create')));
    },
    delete(_body, faultOf) {
      return faultResult(faultOf(notSupported('delete')));
    },
  };

  const operations = new Map<string, SoapOperation>(
    AX_OPERATIONS.map(({ name }) => {
      const kind = name === 'update' || name === 'create' || name === 'delete' ? 'writes' : 'reads';
      const operation: SoapOperation = {
        name,
        kind,
        handle({ request }) {
          const faultOf: FaultOf = (...messages) =>
            aifFault(messages, { service: SERVICE_NAME, operation: name, document: DOCUMENT_NAME });
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
      return [axMessageElement(name, 'Request'), operation];
    }),
  );

  return {
    name: SERVICE_NAME,
    path: AX_SERVICE_PATH,
    style: AX_STYLE,
    operations: AX_OPERATIONS.map(({ name }) => name),
    wsdlPaths: [],
    dispatch(body) {
      const operation = body.namespace === AX_SERVICES_NAMESPACE ? operations.get(body.local) : undefined;
      return (
        operation ??
        soapFault(
          'Client',
          `The message with body element '${body.local}' cannot be processed at the receiver: ${SERVICE_NAME} has no such operation.`,
        )
      );
    },
    wsdl: (baseUrl) => axWsdl(`${baseUrl}${AX_SERVICE_PATH}`),
    wsdlUrl: (baseUrl) => `${baseUrl}${AX_SERVICE_PATH}?wsdl`,
  };
}

function notSupported(operation: string): string {
  return `The operation ${operation} is not supported by this sandbox's ${SERVICE_NAME}; it implements find, findKeys, read, getKeys, getChangedKeys and update.`;
}

/** Lines sent with an update must be the lines as they are: the sandbox changes no line. */
function checkLines(table: XmlElement, record: PurchaseOrderRecord, faultOf: FaultOf): SoapFault | null {
  for (const sent of childrenNamed(table, 'PurchLine', AX_DOCUMENT_NAMESPACE)) {
    const lineNumber = childText(sent, 'LineNumber', AX_DOCUMENT_NAMESPACE);
    const line = record.lines.find(
      (candidate) => purchLine(record, candidate).LineNumber === String(Number(lineNumber)),
    );
    if (line === undefined)
      return faultOf(`Purchase order line ${lineNumber ?? '(no LineNumber)'} does not exist.`);
    const current = purchLine(record, line);
    for (const field of sent.children) {
      const name = PURCH_LINE_FIELDS.find((candidate) => candidate === field.local);
      if (name === undefined) return faultOf(`Field ${field.local} does not exist in table PurchLine.`);
      if (name === 'RecVersion' || name === 'RecId') continue;
      const value = isNil(field) ? '' : field.text.trim();
      if (comparisonFor(name)(value, current[name] ?? '') !== 0) {
        return faultOf(`Field '${name}' in table 'PurchLine' cannot be changed through ${SERVICE_NAME}.`);
      }
    }
  }
  return null;
}
