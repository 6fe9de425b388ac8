import { createHash } from 'node:crypto';
import type { SoapHeader } from '../../connectors/soap/index.ts';
import { ErpError } from '../../errors/index.ts';
import { buildXml } from '../../xml/index.ts';
import { axEntities, axText } from './ax-values.ts';

/**
 * The messages of AX 2012's AIF document services, as node-soap arguments and results: the
 * CallContext header, QueryCriteria, EntityKeyList, DocumentPaging and the documents themselves.
 * Pure functions; the binding (soap-binding.ts) sends them.
 */

/** The namespace of AIF's CallContext SOAP header. */
export const AX_CALL_CONTEXT_NAMESPACE = 'http://schemas.microsoft.com/dynamics/2010/01/datacontracts';

/** One AIF document service as the binding uses it: which document, table and key it serves. */
export interface AxDocumentService {
  /** The table erpbridge names the entity by (`ReadQuery.entity`), the document's root entity. */
  table: string;
  /** The document element in read answers and update requests (`PurchaseOrder`, `Vendor`). */
  document: string;
  /** The entity key's field (`PurchId`, `AccountNum`). */
  keyField: string;
}

/** What goes into every call's CallContext: the company, and who and in which language. */
export interface CallContextOptions {
  /** The legal entity (DataAreaId) the call works in, e.g. `USMF`. */
  company: string;
  language?: string | undefined;
  logonAsUser?: string | undefined;
  partitionKey?: string | undefined;
}

/**
 * The CallContext SOAP header AX reads before it runs an operation: without `Company`, AX uses the
 * service account's default company, so the binding always names it. `messageId` names a write in
 * AX's message history (the same id for the same change, from its idempotency key).
 */
export function callContextHeader(options: CallContextOptions, messageId?: string): SoapHeader {
  const context: Record<string, string> = { Company: options.company };
  if (options.language !== undefined) context.Language = options.language;
  if (options.logonAsUser !== undefined) context.LogonAsUser = options.logonAsUser;
  if (messageId !== undefined) context.MessageId = messageId;
  if (options.partitionKey !== undefined) context.PartitionKey = options.partitionKey;
  return { value: { CallContext: context }, prefix: 'ctx', namespace: AX_CALL_CONTEXT_NAMESPACE };
}

/** A GUID-shaped message id derived from a change's idempotency key: stable across retries. */
export function messageIdFor(idempotencyKey: string): string {
  const hex = createHash('sha256').update(`erpbridge:${idempotencyKey}`).digest('hex');
  // Version 5-style layout: the id looks like any .NET Guid.ToString().
  const variant = ((Number.parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

type FilterValue = string | number | boolean;

/**
 * `findKeys`/`find` arguments: one `Equal` criteria element per filter entry (fields AND-ed, as
 * AX does for different fields), plus `keyField Greater after` to continue a read. Booleans are
 * AX's NoYes enum (`Yes`/`No`). An empty filter gives no criteria: use getKeys instead.
 */
export function queryCriteria(
  service: AxDocumentService,
  filter: Readonly<Record<string, FilterValue>>,
  after?: string,
): Record<string, unknown> {
  const element = (field: string, operator: string, value: string) => ({
    DataSourceName: service.table,
    FieldName: field,
    Operator: operator,
    Value1: value,
  });
  const elements = Object.entries(filter).map(([field, value]) =>
    element(field, 'Equal', typeof value === 'boolean' ? (value ? 'Yes' : 'No') : String(value)),
  );
  // A second range on the key field would be OR-ed with a filter on it; then the caller skips instead.
  const filtersKey = Object.keys(filter).some(
    (field) => field.toLowerCase() === service.keyField.toLowerCase(),
  );
  if (after !== undefined && !filtersKey) elements.push(element(service.keyField, 'Greater', after));
  return { QueryCriteria: { CriteriaElement: elements } };
}

/** An `EntityKeyList` of the service's key field. */
export function entityKeyList(service: AxDocumentService, keys: readonly string[]): Record<string, unknown> {
  return {
    EntityKeyList: {
      EntityKey: keys.map((key) => ({ KeyData: { KeyField: [{ Field: service.keyField, Value: key }] } })),
    },
  };
}

/** The namespace of AIF's EntityKey. */
const ENTITY_KEY_NAMESPACE = 'http://schemas.microsoft.com/dynamics/2006/02/documents/EntityKey';

/**
 * The same `EntityKeyList` for a `read` of many keys, its EntityKeys written here (escaped, each
 * declaring its namespace, as node-soap writes them) and handed to node-soap as XML (`$xml`): for
 * hundreds of keys its schema-driven serialiser costs more than the call.
 */
export function readKeyList(service: AxDocumentService, keys: readonly string[]): Record<string, unknown> {
  const entityKeys = keys.map((key) => ({
    '@xmlns:ek': ENTITY_KEY_NAMESPACE,
    'ek:KeyData': { 'ek:KeyField': { 'ek:Field': service.keyField, 'ek:Value': key } },
  }));
  return { EntityKeyList: { $xml: buildXml({ 'ek:EntityKey': entityKeys }, { declaration: false }) } };
}

/** `getKeys` arguments: one page of at most `pageSize` keys, after the page `bookmark` ended. */
export function documentPaging(pageSize: number, bookmark: string | undefined): Record<string, unknown> {
  return {
    DocumentPaging:
      bookmark === undefined ? { PageSize: pageSize } : { Bookmark: bookmark, PageSize: pageSize },
  };
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? Reflect.get(value, name)
    : undefined;
}

/** The key values of an `EntityKeyList` (a findKeys answer, or inside an EntityKeyPage). */
export function keysOf(service: AxDocumentService, list: unknown): string[] {
  return axEntities(field(list, 'EntityKey')).map((key, index) => {
    const keyFields = axEntities(field(key.KeyData, 'KeyField'));
    const match = keyFields.find(
      (candidate) => axText(candidate.Field).toLowerCase() === service.keyField.toLowerCase(),
    );
    const value = match === undefined ? '' : axText(match.Value);
    if (value === '') {
      throw new ErpError('permanent', `entity key ${index + 1} of the answer has no ${service.keyField}`, {
        entity: service.table,
        hint: `the service's entity key is not ${service.keyField}; is this the ${service.document} document service?`,
      });
    }
    return value;
  });
}

/** A getKeys answer: its keys, and the bookmark of the next page (none on the last page). */
export function keyPageOf(
  service: AxDocumentService,
  result: unknown,
): { keys: string[]; bookmark: string | undefined } {
  const page = field(result, 'EntityKeyPage');
  const status = axText(field(page, 'PageStatus'));
  if (status !== '' && status.toLowerCase() !== 'success') {
    throw new ErpError(
      'permanent',
      `getKeys answered PageStatus ${status} (${axText(field(page, 'PageStatusDetails')) || 'no details'})`,
      {
        entity: service.table,
        hint: 'the document filters of the integration port changed; read again from the start',
      },
    );
  }
  const bookmark = axText(field(field(page, 'DocumentPaging'), 'Bookmark'));
  return {
    keys: keysOf(service, field(page, 'EntityKeyList')),
    bookmark: bookmark === '' ? undefined : bookmark,
  };
}

/** The root entities of a `read`/`find` answer's document, e.g. every `PurchTable`. */
export function documentEntities(service: AxDocumentService, result: unknown): Record<string, unknown>[] {
  return axEntities(field(field(result, service.document), service.table));
}

/**
 * AX's entity field order: `_DocumentHash` first, then alphabetical regardless of case, as the
 * document schemas list them (xs:sequence: the order matters to a strict AOS).
 */
export function axFieldOrder(left: string, right: string): number {
  const a = left.toLowerCase();
  const b = right.toLowerCase();
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * `update` arguments for a partial update of one root entity: the key, and the entity marked
 * `action="update"` with only the fields to change and the `RecVersion` it was read at (AX refuses
 * the update when the record has moved on). Fields named `Child.Field` go into one child entity
 * (`DocuRefHeader.Notes` → the header note).
 */
export function updateArguments(
  service: AxDocumentService,
  key: string,
  fields: Readonly<Record<string, unknown>>,
  recVersion: string | null,
): Record<string, unknown> {
  const own: Array<[string, unknown]> = [];
  const children = new Map<string, Array<[string, unknown]>>();
  for (const [name, value] of Object.entries(fields)) {
    const dot = name.indexOf('.');
    if (dot === -1) {
      own.push([name, value]);
      continue;
    }
    const child = children.get(name.slice(0, dot)) ?? [];
    child.push([name.slice(dot + 1), value]);
    children.set(name.slice(0, dot), child);
  }
  if (recVersion !== null) own.push(['RecVersion', recVersion]);
  const sorted = (entries: Array<[string, unknown]>) =>
    Object.fromEntries([...entries].sort(([left], [right]) => axFieldOrder(left, right)));
  const entity: Record<string, unknown> = {
    attributes: { class: 'entity', action: 'update' },
    ...sorted(own),
  };
  for (const [child, entries] of [...children].sort(([left], [right]) => axFieldOrder(left, right))) {
    entity[child] = [{ attributes: { class: 'entity' }, ...sorted(entries) }];
  }
  return { ...entityKeyList(service, [key]), [service.document]: { [service.table]: [entity] } };
}
