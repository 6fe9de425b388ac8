import type {
  ReadQuery,
  RecordPage,
  RecordReject,
  VendorRecord,
  WriteRequest,
  WriteResult,
} from '../../connectors/contract.ts';
import type { SoapBinding, SoapBindingContext, SoapEntityAccess } from '../../connectors/soap/binding.ts';
import type { SoapClient, SoapHeader, SoapServiceConfig } from '../../connectors/soap/index.ts';
import { ConfigError, ErpError } from '../../errors/index.ts';
import {
  type EbsQueryServiceName,
  type OracleEbsBindingOptions,
  parseBindingOptions,
} from './binding-options.ts';
import { ebsText, ebsVersion, field, parseEbsVersion, rowsOf } from './ebs-values.ts';
import { EBS_NOTE_COLUMN, EBS_PRIORITY_COLUMN, EBS_PURCHASE_ORDER_ENTITY } from './purchase-order-mapping.ts';
import { exampleOf, type QueryExample, queryStatusOf } from './query-example.ts';
import { EBS_SUPPLIER_ENTITY } from './supplier-mapping.ts';
import { returnStatusError, type UpdateTarget, updateFailure } from './update-outcome.ts';

/**
 * `binding: oracle-ebs` — Oracle E-Business Suite over SOAP, the way EBS sites publish it:
 *
 * - read: `queryByExample` on SOA Suite's database-adapter service over PO_HEADERS_ALL (with its
 *   lines and shipments), the example built from the workflow's filter (`status: open` →
 *   CLOSED_CODE OPEN), paged with the `QueryControl` SOAP header (maxRows, afterPoHeaderId) and
 *   continued from the answer's `QueryStatus`; the cursor is the page's last PO_HEADER_ID;
 * - get: `queryByExample` by SEGMENT1, the order number;
 * - write: the PL/SQL API `XX_PO_HEADER_PUB.UPDATE_PO_HEADER` through the Integrated SOA Gateway,
 *   with P_PO_HEADER_ID and P_LAST_UPDATE_DATE from the version read (optimistic locking; a stale
 *   date is ORA-20001, a `conflict`) and P_ATTRIBUTE1 (priority) / P_NOTE_TO_VENDOR;
 * - suppliers: `queryByExample` on the AP_SUPPLIERS query, paged the same way by VENDOR_ID.
 *
 * The connector's `wsdl` is the update service; `options.query` and `options.suppliers` are the
 * query services, opened on the connector's connection settings (see binding-options.ts).
 * docs/erp/oracle-ebs.md has the whole picture.
 */

/** The update operation of the ISG service, and the operation of both adapter queries. */
export const UPDATE_OPERATION = 'UPDATE_PO_HEADER';
export const QUERY_OPERATION = 'queryByExample';

/** Rows per page when the read names no page size. */
const DEFAULT_PAGE_SIZE = 500;
/** Pages a read asks for before its consumer reads them: enough to keep the ERP busy, no more. */
const READ_AHEAD = 2;

/** One of the two query services, as data: what its rows are called and keyed by. */
interface QueryService {
  name: EbsQueryServiceName;
  entity: string;
  /** The answer's row element: `PoHeadersAll`, `ApSuppliers`. */
  rowElement: string;
  /** The surrogate id column the pages are ordered and continued by. */
  idColumn: string;
  /** QueryControl's continuation element, QueryStatus's last-id element. */
  afterElement: string;
  lastElement: string;
  /** The column `get` looks a key up by. */
  keyColumn: string;
  /** Whether `status: open|closed|cancelled` means the PO header columns. */
  statusShorthand: boolean;
  /** The record's version, from its row; null when the row has no change date. */
  version(row: unknown): string | null;
  /** What one record is called in messages. */
  noun: string;
}

const PURCHASE_ORDERS: QueryService = {
  name: 'query',
  entity: EBS_PURCHASE_ORDER_ENTITY,
  rowElement: 'PoHeadersAll',
  idColumn: 'poHeaderId',
  afterElement: 'afterPoHeaderId',
  lastElement: 'lastPoHeaderId',
  keyColumn: 'segment1',
  statusShorthand: true,
  version(row) {
    const id = ebsText(field(row, 'poHeaderId'));
    const date = ebsText(field(row, 'lastUpdateDate'));
    return id === '' || date === '' ? null : ebsVersion(id, date);
  },
  noun: 'purchase order',
};

const SUPPLIERS: QueryService = {
  name: 'suppliers',
  entity: EBS_SUPPLIER_ENTITY,
  rowElement: 'ApSuppliers',
  idColumn: 'vendorId',
  afterElement: 'afterVendorId',
  lastElement: 'lastVendorId',
  keyColumn: 'vendorId',
  statusShorthand: false,
  version: (row) => ebsText(field(row, 'lastUpdateDate')) || null,
  noun: 'supplier',
};

const SERVICES: Readonly<Record<string, QueryService>> = {
  [EBS_PURCHASE_ORDER_ENTITY]: PURCHASE_ORDERS,
  [EBS_SUPPLIER_ENTITY]: SUPPLIERS,
};

/** Vendor field (adapter column) → UPDATE_PO_HEADER parameter, in the parameters' order. */
const UPDATE_PARAMETERS: ReadonlyArray<readonly [string, string]> = [
  [EBS_PRIORITY_COLUMN, 'P_ATTRIBUTE1'],
  [EBS_NOTE_COLUMN, 'P_NOTE_TO_VENDOR'],
];

/**
 * The `oracle-ebs` SOAP binding (see the module comment): registered in
 * `src/connectors/soap/bindings.ts`, its options parsed by `parseBindingOptions` when it opens.
 *
 * @throws ConfigError when opened over a WSDL without UPDATE_PO_HEADER, or with bad options.
 */
export const oracleEbsBinding: SoapBinding = {
  name: 'oracle-ebs',
  capabilities: { read: true, get: true, write: true, concurrency: 'version-field' },
  open(client, context) {
    const options = parseBindingOptions(context.connector, context.options);
    const operations = client.operations();
    if (!operations.includes(UPDATE_OPERATION)) {
      throw new ConfigError(
        `oracle-ebs binding: connectors.${context.connector}.wsdl must be the ISG service with ${UPDATE_OPERATION} (XX_PO_HEADER_PUB); it offers ${operations.join(', ') || 'no operation'}. The query services go under options.query and options.suppliers`,
        { key: `connectors.${context.connector}.wsdl` },
      );
    }
    return new EbsAccess(client, context, options);
  },
};

class EbsAccess implements SoapEntityAccess {
  readonly #update: SoapClient;
  readonly #context: SoapBindingContext;
  readonly #connector: string;
  readonly #options: OracleEbsBindingOptions;
  readonly #queries = new Map<EbsQueryServiceName, Promise<QueryClient>>();
  #closed = false;

  constructor(update: SoapClient, context: SoapBindingContext, options: OracleEbsBindingOptions) {
    this.#update = update;
    this.#context = context;
    this.#connector = context.connector;
    this.#options = options;
  }

  async *read(query: ReadQuery): AsyncIterable<RecordPage> {
    const service = this.#service(query.entity);
    const { client, namespace } = await this.#query(service);
    const example = exampleOf(query.filter, {
      entity: service.entity,
      statusShorthand: service.statusShorthand,
    });
    const paged = this.#options.paging === 'query-control';
    const pageSize = Math.min(query.pageSize ?? DEFAULT_PAGE_SIZE, this.#options.maxRows);
    /**
     * A page's call. Its answer's QueryStatus, read as it arrives, starts the next page's call at
     * once — while at most READ_AHEAD pages wait unread, so a slow consumer never makes the read
     * hold more than that.
     */
    interface PageCall {
      after: string | null;
      answer: Promise<Awaited<ReturnType<SoapClient['call']>>>;
      next?: PageCall;
    }
    /** Pages asked for ahead of the one the loop reads. */
    let ahead = 0;
    const fetch = (after: string | null): PageCall => {
      const soapHeaders = paged ? [queryControl(namespace, service, pageSize, after)] : [];
      const page: PageCall = {
        after,
        answer: client.call(QUERY_OPERATION, example, {
          soapHeaders,
          ...(query.signal ? { signal: query.signal } : {}),
          // The ERP prepares the next page while this one is read.
          ...(paged
            ? {
                onAnswer: (text: string) => {
                  // Only a head start: a header this cannot read is read (and reported) with the page.
                  let early: ReturnType<typeof queryStatusOf>;
                  try {
                    early = queryStatusOf(text, service.lastElement);
                  } catch {
                    return;
                  }
                  if (early?.hasMore !== true || early.lastId === null || ahead >= READ_AHEAD) return;
                  ahead += 1;
                  page.next = fetch(early.lastId);
                },
              }
            : {}),
        }),
      };
      // Awaited below; a read that stops early leaves it unread, never unhandled.
      page.answer.catch(() => undefined);
      return page;
    };
    let pending = fetch(query.resumeFrom === undefined ? null : this.#cursor(service, query.resumeFrom));
    for (;;) {
      const { result, rawResponse } = await pending.answer;
      const rows = rowsOf(field(result, service.rowElement));
      if (!paged) {
        yield { ...this.#page(service, rows), total: rows.length };
        return;
      }
      // A composite that pages but does not report: a full page may have more after it.
      const status = queryStatusOf(rawResponse, service.lastElement);
      const lastId = status?.lastId ?? (ebsText(field(rows.at(-1), service.idColumn)) || null);
      const hasMore = (status?.hasMore ?? rows.length >= pageSize) && lastId !== null;
      const next = pending.next;
      if (hasMore && next !== undefined && next.after === lastId) {
        // The page asked for early continues from here.
        ahead -= 1;
        pending = next;
      } else {
        // None, or not the right one (the header said otherwise than the rows): dropped unread.
        for (let dropped = next; dropped !== undefined; dropped = dropped.next) ahead -= 1;
        if (hasMore) pending = fetch(lastId);
      }
      yield { ...this.#page(service, rows), total: null, cursor: hasMore ? lastId : null };
      if (!hasMore) return;
    }
  }

  async get(entity: string, key: string, signal?: AbortSignal): Promise<VendorRecord | null> {
    const service = this.#service(entity);
    if (key.trim() === '') {
      throw new ErpError('validation', `an empty key names no ${service.noun}`, {
        connector: this.#connector,
        entity,
        field: service.keyColumn,
      });
    }
    const { client, namespace } = await this.#query(service);
    const example: QueryExample = { [service.keyColumn]: key };
    const soapHeaders =
      this.#options.paging === 'query-control' ? [queryControl(namespace, service, 2, null)] : [];
    const { result } = await client.call(QUERY_OPERATION, example, {
      soapHeaders,
      ...(signal ? { signal } : {}),
    });
    const rows = rowsOf(field(result, service.rowElement));
    if (rows.length > 1) {
      throw new ErpError(
        'permanent',
        `${service.keyColumn.toUpperCase()} ${key} matches ${rows.length} ${service.noun}s; erpbridge needs it to name one`,
        {
          connector: this.#connector,
          entity,
          key,
          hint: 'the query spans several operating units; restrict the composite to one (ORG_ID) or use one connector per unit',
        },
      );
    }
    const [row] = rows;
    if (row === undefined) return null;
    const { records, rejects } = this.#page(service, [row]);
    const [reject] = rejects;
    if (reject !== undefined) throw reject.error;
    return records[0] ?? null;
  }

  async write(request: WriteRequest): Promise<WriteResult> {
    const parameters = this.#updateParameters(request);
    const version =
      request.ifVersion === undefined || request.ifVersion === null
        ? await this.#currentVersion(request)
        : this.#version(request, request.ifVersion);
    const target: UpdateTarget = {
      connector: this.#connector,
      entity: request.entity,
      key: request.key,
      poHeaderId: version.poHeaderId,
    };
    let result: unknown;
    try {
      ({ result } = await this.#update.call(UPDATE_OPERATION, updateArguments(version, parameters), {
        soapHeaders: this.#soaHeader(),
        ...(request.signal ? { signal: request.signal } : {}),
      }));
    } catch (error) {
      throw updateFailure(error, target);
    }
    const refused = returnStatusError(result, target);
    if (refused !== undefined) throw refused;
    return { record: null };
  }

  describeWrite(request: WriteRequest): string {
    const parameters = this.#updateParameters(request);
    const version = request.ifVersion ? parseEbsVersion(request.ifVersion) : undefined;
    if (version === undefined) {
      return `(${UPDATE_OPERATION} needs the PO_HEADER_ID and LAST_UPDATE_DATE read with purchase order ${request.key}; this change carries none: ${JSON.stringify(request.ifVersion ?? null)})`;
    }
    return this.#update.renderRequest(UPDATE_OPERATION, updateArguments(version, parameters), {
      soapHeaders: this.#soaHeader(),
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const connecting = [...this.#queries.values()];
    this.#queries.clear();
    const clients = await Promise.allSettled(connecting);
    await Promise.all(
      clients.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value.client.close()] : [])),
    );
  }

  #service(entity: string): QueryService {
    const service = Object.hasOwn(SERVICES, entity) ? SERVICES[entity] : undefined;
    if (service !== undefined) return service;
    throw new ErpError(
      'permanent',
      `unknown entity "${entity}"; the oracle-ebs binding reads ${Object.keys(SERVICES).join(' and ')}`,
      { connector: this.#connector, entity },
    );
  }

  /** The query service's client, connected on first use (the WSDL is read once per connection). */
  #query(service: QueryService): Promise<QueryClient> {
    if (this.#closed) {
      return Promise.reject(
        new ErpError('permanent', `${QUERY_OPERATION}: the SOAP connection is closed`, {
          connector: this.#connector,
        }),
      );
    }
    let connecting = this.#queries.get(service.name);
    if (connecting === undefined) {
      connecting = connectQuery(this.#context, service.name, this.#options[service.name]);
      // A failed connect (the SOA server was down) is tried again by the next call, not remembered.
      connecting.catch(() => this.#queries.delete(service.name));
      this.#queries.set(service.name, connecting);
    }
    return connecting;
  }

  #page(
    service: QueryService,
    rows: readonly unknown[],
  ): { records: VendorRecord[]; rejects: RecordReject[] } {
    const records: VendorRecord[] = [];
    const rejects: RecordReject[] = [];
    rows.forEach((row, index) => {
      const key =
        typeof row === 'object' && row !== null && !Array.isArray(row)
          ? ebsText(field(row, service.keyColumn))
          : '';
      if (key === '' || typeof row !== 'object' || row === null || Array.isArray(row)) {
        rejects.push({
          index,
          data: row,
          error: new ErpError(
            'validation',
            `a ${service.rowElement} row without ${service.keyColumn} cannot be keyed`,
            {
              connector: this.#connector,
              entity: service.entity,
              field: service.keyColumn,
            },
          ),
        });
        return;
      }
      records.push({ key, version: service.version(row), data: { ...row } });
    });
    return { records, rejects };
  }

  #cursor(service: QueryService, resumeFrom: string): string {
    if (/^\d+$/.test(resumeFrom)) return resumeFrom;
    throw new ErpError(
      'validation',
      `cannot resume a read of ${service.entity} from "${resumeFrom}": not a ${service.idColumn}`,
      {
        connector: this.#connector,
        entity: service.entity,
      },
    );
  }

  #version(request: WriteRequest, version: string): { poHeaderId: string; lastUpdateDate: string } {
    const parts = parseEbsVersion(version);
    if (parts !== undefined) return parts;
    throw new ErpError(
      'validation',
      `${UPDATE_OPERATION} needs a version read through the oracle-ebs binding (PO_HEADER_ID@LAST_UPDATE_DATE), got "${version}"`,
      { connector: this.#connector, entity: request.entity, key: request.key },
    );
  }

  /** A write without a version (no precondition): the lock value is whatever the order holds now. */
  async #currentVersion(request: WriteRequest): Promise<{ poHeaderId: string; lastUpdateDate: string }> {
    const current = await this.get(request.entity, request.key, request.signal);
    if (current === null) {
      throw new ErpError('validation', `purchase order ${request.key} does not exist in EBS`, {
        connector: this.#connector,
        entity: request.entity,
        key: request.key,
      });
    }
    return this.#version(request, current.version ?? '');
  }

  /** The write's fields as UPDATE_PO_HEADER parameters; a field the API does not take is refused. */
  #updateParameters(request: WriteRequest): Record<string, string> {
    if (request.entity !== EBS_PURCHASE_ORDER_ENTITY) {
      throw new ErpError(
        'validation',
        `the oracle-ebs binding writes only ${EBS_PURCHASE_ORDER_ENTITY}, not ${request.entity}`,
        {
          connector: this.#connector,
          entity: request.entity,
          key: request.key,
        },
      );
    }
    const parameters: Record<string, string> = {};
    for (const name of Object.keys(request.fields)) {
      if (!UPDATE_PARAMETERS.some(([column]) => column === name)) {
        throw new ErpError(
          'validation',
          `${UPDATE_OPERATION} cannot set ${name}; it takes ${UPDATE_PARAMETERS.map(([column]) => column).join(' and ')}`,
          { connector: this.#connector, entity: request.entity, key: request.key, field: name },
        );
      }
    }
    for (const [column, parameter] of UPDATE_PARAMETERS) {
      const value = request.fields[column];
      if (value !== undefined) parameters[parameter] = value === null ? '' : String(value);
    }
    if (Object.keys(parameters).length === 0) {
      throw new ErpError('validation', `nothing to write to purchase order ${request.key}`, {
        connector: this.#connector,
        entity: request.entity,
        key: request.key,
      });
    }
    return parameters;
  }

  #soaHeader(): SoapHeader[] {
    const header = this.#options.soaHeader;
    if (header === undefined) return [];
    return [
      { value: { SOAHeader: { ...header } }, prefix: 'isg', namespace: isgHeaderNamespace(this.#update) },
    ];
  }
}

/** A connected query service and the namespace of its elements (where QueryControl lives). */
interface QueryClient {
  client: SoapClient;
  namespace: string | undefined;
}

async function connectQuery(
  context: SoapBindingContext,
  service: EbsQueryServiceName,
  config: SoapServiceConfig,
): Promise<QueryClient> {
  const client = await context.openService(config, `options.${service}`);
  const name = `${context.connector}.options.${service}`;
  const operations = client.operations();
  if (!operations.includes(QUERY_OPERATION)) {
    const jca = client.describe().jcaBinding;
    await client.close();
    throw new ConfigError(
      jca === undefined
        ? `oracle-ebs binding: the WSDL ${config.wsdl} offers ${operations.join(', ') || 'no operation'}, not ${QUERY_OPERATION}`
        : `oracle-ebs binding: ${config.wsdl} is the database adapter's abstract WSDL (bound through ${jca}); give the deployed composite's concrete WSDL, …/soa-infra/services/<partition>/<composite>/<service>?WSDL`,
      { key: `connectors.${name}.wsdl` },
    );
  }
  return { client, namespace: inputNamespace(client, QUERY_OPERATION) };
}

/** The namespace of an operation's input element, from the service's description. */
function inputNamespace(client: SoapClient, operation: string): string | undefined {
  for (const service of client.describe().services) {
    for (const port of service.ports) {
      const found = port.operations.find((candidate) => candidate.name === operation);
      if (found?.input) return found.input.namespace;
    }
  }
  return undefined;
}

/**
 * ISG's SOAHeader namespace: the package's, one level above the operation's parameters
 * (`…/plsql/xx_po_header_pub/update_po_header/` → `…/plsql/xx_po_header_pub/`).
 */
function isgHeaderNamespace(update: SoapClient): string | undefined {
  const parameters = inputNamespace(update, UPDATE_OPERATION);
  return parameters?.replace(/[^/]+\/?$/, '');
}

/** The `QueryControl` SOAP header asking for `maxRows` rows after `after` (null: from the start). */
function queryControl(
  namespace: string | undefined,
  service: QueryService,
  maxRows: number,
  after: string | null,
): SoapHeader {
  const control: Record<string, unknown> = { maxRows };
  if (after !== null) control[service.afterElement] = after;
  return {
    value: { QueryControl: control },
    prefix: 'top',
    ...(namespace === undefined ? {} : { namespace }),
  };
}

function updateArguments(
  version: { poHeaderId: string; lastUpdateDate: string },
  parameters: Record<string, string>,
): Record<string, string> {
  return { P_PO_HEADER_ID: version.poHeaderId, P_LAST_UPDATE_DATE: version.lastUpdateDate, ...parameters };
}
