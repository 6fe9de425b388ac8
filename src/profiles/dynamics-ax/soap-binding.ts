import type {
  ReadQuery,
  RecordPage,
  VendorRecord,
  WriteRequest,
  WriteResult,
} from '../../connectors/contract.ts';
import type { SoapBinding, SoapBindingContext, SoapEntityAccess } from '../../connectors/soap/binding.ts';
import { type SoapClient, SoapFaultError } from '../../connectors/soap/index.ts';
import { ConfigError, ErpError } from '../../errors/index.ts';
import {
  type AxDocumentService,
  callContextHeader,
  documentEntities,
  documentPaging,
  keyPageOf,
  keysOf,
  messageIdFor,
  queryCriteria,
  readKeyList,
  updateArguments,
} from './aif-messages.ts';
import { axText } from './ax-values.ts';
import { type DynamicsAxOptions, parseDynamicsAxOptions } from './binding-options.ts';
import { AX_PURCHASE_ORDER_ENTITY } from './purchase-order-mapping.ts';
import { AX_SUPPLIER_ENTITY } from './supplier-mapping.ts';

/**
 * `binding: dynamics-ax`: purchase orders and vendors through Dynamics AX 2012's AIF document
 * services (PurchPurchaseOrderService, VendVendTableService), every call with AIF's CallContext
 * header (the company). See docs/erp/dynamics-ax.md.
 *
 * - **read** — `findKeys` with QueryCriteria (one `Equal` per filter entry: `PurchStatus:
 *   Backorder` for open orders), then `read` of the keys in batches of at most 1000. AX's `find`
 *   would answer documents directly, but a find over more documents than the service allows fails
 *   as a whole and cannot be continued, and PurchIds are not dense enough to page by ranges of
 *   them; a key list is small (~130 bytes a key) and exact. An empty filter pages all keys with
 *   `getKeys` (DocumentPaging) instead. The cursor is the last key read; resuming asks findKeys
 *   for keys after it.
 * - **get** — `read` of one EntityKey; AX's "No valid document identified from the entity key" is
 *   null.
 * - **write** — `update` of the root entity alone (`action="update"`, only the fields to change)
 *   with the `RecVersion` it was read at: AX refuses a stale one with "The values displayed in the
 *   form are not current", which becomes an ErpError of kind `conflict` with AX's infolog text.
 */

/** The most documents one call reads: the sandbox's AIF limit, and a few MB of XML. */
export const AX_MAX_DOCUMENTS_PER_CALL = 1000;

/** Purchase orders: PurchPurchaseOrderService (external name PurchaseOrderService), document PurchaseOrder. */
export const AX_PURCHASE_ORDER_SERVICE: AxDocumentService = {
  table: AX_PURCHASE_ORDER_ENTITY,
  document: 'PurchaseOrder',
  keyField: 'PurchId',
};

/** Vendors: VendVendTableService (external name VendTableService), document Vendor. */
export const AX_VENDOR_SERVICE: AxDocumentService = {
  table: AX_SUPPLIER_ENTITY,
  document: 'Vendor',
  keyField: 'AccountNum',
};

/** The operations the binding calls on the purchase order service. */
const ORDER_OPERATIONS = ['findKeys', 'getKeys', 'read', 'update'] as const;
/** …and on the vendor service. */
const VENDOR_OPERATIONS = ['findKeys', 'getKeys', 'read'] as const;

/** AX's infolog text for an update of a record that changed since it was read (RecVersion differs). */
const UPDATE_CONFLICT = /values displayed in the form are not current/i;
/** AX's infolog text for a key that names no document. */
const NO_DOCUMENT = /No valid document identified from the entity key/i;

const DEFAULT_PAGE_SIZE = 500;

/** The binding registered as `dynamics-ax` in `SOAP_BINDINGS`. */
export const dynamicsAxBinding: SoapBinding = {
  name: 'dynamics-ax',
  capabilities: { read: true, get: true, write: true, concurrency: 'version-field', incremental: false },
  open(client, context) {
    const options = parseDynamicsAxOptions(context.options, context.connector);
    requireOperations(client, ORDER_OPERATIONS, context.connector, 'the purchase order service');
    return new AxEntityAccess(client, options, context);
  },
};

/** Where an entity's calls go. */
interface Target {
  client: SoapClient;
  service: AxDocumentService;
}

class AxEntityAccess implements SoapEntityAccess {
  readonly #orders: SoapClient;
  readonly #options: DynamicsAxOptions;
  readonly #binding: SoapBindingContext;
  readonly #connector: string;
  #vendors: Promise<SoapClient> | undefined;

  constructor(orders: SoapClient, options: DynamicsAxOptions, context: SoapBindingContext) {
    this.#orders = orders;
    this.#options = options;
    this.#binding = context;
    this.#connector = context.connector;
  }

  async *read(query: ReadQuery): AsyncGenerator<RecordPage> {
    const target = await this.#target(query.entity);
    const pageSize = query.pageSize ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(pageSize) || pageSize < 1) {
      throw new ErpError(
        'validation',
        `a page of ${query.entity} must hold at least one record, not ${pageSize}`,
        {
          connector: this.#connector,
          entity: query.entity,
        },
      );
    }
    // AX's limit per read call wins over a larger engine page; the engine takes pages of any size.
    const perCall = Math.min(pageSize, this.#options.documentsPerRead);
    const filter = query.filter ?? {};
    const after = query.resumeFrom;
    const batches =
      Object.keys(filter).length === 0
        ? this.#allKeys(target, after, query.signal)
        : this.#foundKeys(target, filter, after, query.signal);
    let yielded = false;
    for await (const batch of batches) {
      const chunks: string[][] = [];
      for (let start = 0; start < batch.keys.length; start += perCall)
        chunks.push(batch.keys.slice(start, start + perCall));
      // Up to `readsInFlight` read calls at once, pages still yielded in key order: the AOS
      // serialises documents while erpbridge parses the previous answer.
      const pending: Promise<VendorRecord[]>[] = [];
      const start = (index: number) => {
        const chunk = chunks[index];
        if (chunk === undefined) return;
        const reading = this.#readDocuments(target, chunk, query.signal);
        // Awaited in order below; a failure of one read ahead surfaces there, never unhandled.
        reading.catch(() => undefined);
        pending.push(reading);
      };
      for (let index = 0; index < this.#options.readsInFlight; index++) start(index);
      for (let index = 0; index < chunks.length; index++) {
        const records = await pending[index];
        start(index + this.#options.readsInFlight);
        const last = batch.last && index === chunks.length - 1;
        yielded = true;
        yield {
          records: records ?? [],
          total: batch.total,
          cursor: last ? null : (chunks[index]?.at(-1) ?? null),
        };
      }
    }
    if (!yielded) yield { records: [], total: 0, cursor: null };
  }

  async get(entity: string, key: string, signal?: AbortSignal): Promise<VendorRecord | null> {
    const target = await this.#target(entity);
    try {
      const [record] = await this.#readDocuments(target, [key], signal, false);
      return record ?? null;
    } catch (error) {
      if (isMissingDocument(error)) return null;
      throw error;
    }
  }

  async write(request: WriteRequest): Promise<WriteResult> {
    const target = this.#writable(request.entity);
    const callOptions = { signal: request.signal, soapHeaders: [this.#context(request)] };
    // Without a version to hold the write to, write over whatever is there now (as AX's own
    // client would after a refresh): read the current RecVersion first.
    const version =
      request.ifVersion ?? (await this.get(request.entity, request.key, request.signal))?.version ?? null;
    const args = updateArguments(target.service, request.key, request.fields, version);
    try {
      await target.client.call('update', args, callOptions);
    } catch (error) {
      throw this.#writeError(error, request);
    }
    // AX answers an update with nothing; the engine reads the record back itself.
    return { record: null };
  }

  describeWrite(request: WriteRequest): string {
    const target = this.#writable(request.entity);
    const args = updateArguments(target.service, request.key, request.fields, request.ifVersion ?? null);
    return target.client.renderRequest('update', args, { soapHeaders: [this.#context(request)] });
  }

  async close(): Promise<void> {
    const vendors = this.#vendors;
    this.#vendors = undefined;
    if (vendors !== undefined) await (await vendors.catch(() => undefined))?.close();
  }

  /** Every key with the filter, in key order, in one findKeys call. */
  async *#foundKeys(
    target: Target,
    filter: Readonly<Record<string, string | number | boolean>>,
    after: string | undefined,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<KeyBatch> {
    const { result } = await target.client.call('findKeys', queryCriteria(target.service, filter, after), {
      signal,
      soapHeaders: [this.#context()],
    });
    const keys = sortedKeys(keysOf(target.service, field(result, 'EntityKeyList')), after);
    yield { keys, total: keys.length, last: true };
  }

  /** Every key of the service, a getKeys page at a time. */
  async *#allKeys(
    target: Target,
    after: string | undefined,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<KeyBatch> {
    let bookmark: string | undefined;
    do {
      const { result } = await target.client.call(
        'getKeys',
        documentPaging(AX_MAX_DOCUMENTS_PER_CALL, bookmark),
        {
          signal,
          soapHeaders: [this.#context()],
        },
      );
      const page = keyPageOf(target.service, result);
      bookmark = page.bookmark;
      yield { keys: sortedKeys(page.keys, after), total: null, last: bookmark === undefined };
    } while (bookmark !== undefined);
  }

  /**
   * The documents of `keys`, in that order. A key whose document vanished since findKeys makes AX
   * refuse the whole read; then the others are read one by one and the vanished one left out.
   */
  async #readDocuments(
    target: Target,
    keys: readonly string[],
    signal: AbortSignal | undefined,
    skipMissing = true,
  ): Promise<VendorRecord[]> {
    if (keys.length === 0) return [];
    let result: unknown;
    try {
      ({ result } = await target.client.call('read', readKeyList(target.service, keys), {
        signal,
        soapHeaders: [this.#context()],
      }));
    } catch (error) {
      if (!skipMissing || keys.length === 1 || !isMissingDocument(error)) throw error;
      const single = await Promise.all(keys.map((key) => this.get(target.service.table, key, signal)));
      return single.filter((record): record is VendorRecord => record !== null);
    }
    const byKey = new Map<string, VendorRecord>();
    for (const entity of documentEntities(target.service, result)) {
      const key = axText(entity[target.service.keyField]);
      const version = axText(entity.RecVersion);
      byKey.set(key, { key, version: version === '' ? null : version, data: entity });
    }
    return keys.flatMap((key) => {
      const record = byKey.get(key);
      return record === undefined ? [] : [record];
    });
  }

  async #target(entity: string): Promise<Target> {
    if (entity === AX_PURCHASE_ORDER_SERVICE.table)
      return { client: this.#orders, service: AX_PURCHASE_ORDER_SERVICE };
    if (entity === AX_VENDOR_SERVICE.table)
      return { client: await this.#vendorClient(), service: AX_VENDOR_SERVICE };
    throw unknownEntity(entity, this.#connector);
  }

  #writable(entity: string): Target {
    if (entity === AX_PURCHASE_ORDER_SERVICE.table)
      return { client: this.#orders, service: AX_PURCHASE_ORDER_SERVICE };
    if (entity === AX_VENDOR_SERVICE.table) {
      throw new ErpError('validation', `${entity} is read-only through the dynamics-ax binding`, {
        connector: this.#connector,
        entity,
      });
    }
    throw unknownEntity(entity, this.#connector);
  }

  /** The vendor service's client, connected on first use (runs that never read suppliers need none). */
  #vendorClient(): Promise<SoapClient> {
    if (this.#vendors === undefined) {
      const config = this.#options.vendors;
      if (config === undefined) {
        return Promise.reject(
          new ConfigError(
            'reading vendors (VendTable) needs the vendor document service VendVendTableService; add its connection under options.vendors (see docs/erp/dynamics-ax.md)',
            { key: `connectors.${this.#connector}.options.vendors` },
          ),
        );
      }
      const connecting = this.#binding.openService(config, 'options.vendors').then((client) => {
        requireOperations(
          client,
          VENDOR_OPERATIONS,
          `${this.#connector}.options.vendors`,
          'the vendor service',
        );
        return client;
      });
      this.#vendors = connecting;
      // A failed connection is not kept: the next read tries again.
      connecting.catch(() => {
        if (this.#vendors === connecting) this.#vendors = undefined;
      });
    }
    return this.#vendors;
  }

  #context(request?: WriteRequest) {
    const messageId =
      request?.idempotencyKey === undefined ? undefined : messageIdFor(request.idempotencyKey);
    return callContextHeader(this.#options, messageId);
  }

  #writeError(error: unknown, request: WriteRequest): unknown {
    if (!(error instanceof SoapFaultError)) return error;
    const where = {
      ...error.context,
      connector: this.#connector,
      entity: request.entity,
      key: request.key,
      cause: error,
    };
    if (UPDATE_CONFLICT.test(error.message)) {
      return new ErpError(
        'conflict',
        `${request.entity} ${request.key} changed in AX since it was read: ${error.message}`,
        {
          ...where,
          hint: 'someone changed the order in AX after erpbridge read it; plan again to see its current values',
        },
      );
    }
    return new ErpError(
      error.kind,
      `update of ${request.entity} ${request.key} refused by AX: ${error.message}`,
      where,
    );
  }
}

interface KeyBatch {
  keys: string[];
  /** How many records the whole read yields, when known. */
  total: number | null;
  /** The read's last batch. */
  last: boolean;
}

/** Keys in ascending order, without duplicates, after `after` (the cursor of a resumed read). */
function sortedKeys(keys: readonly string[], after: string | undefined): string[] {
  const unique = [...new Set(keys)].sort();
  return after === undefined ? unique : unique.filter((key) => key > after);
}

function isMissingDocument(error: unknown): boolean {
  return error instanceof SoapFaultError && NO_DOCUMENT.test(error.message);
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? Reflect.get(value, name)
    : undefined;
}

function unknownEntity(entity: string, connector: string): ErpError {
  return new ErpError(
    'validation',
    `the dynamics-ax binding serves ${AX_PURCHASE_ORDER_SERVICE.table} and ${AX_VENDOR_SERVICE.table}, not ${entity}`,
    { connector, entity, hint: 'use the dynamics-ax profile with this connector' },
  );
}

/** Refuses, before any call, a service whose port lacks an operation the binding needs. */
function requireOperations(client: SoapClient, needed: readonly string[], where: string, what: string): void {
  const offered = client.operations();
  const missing = needed.filter((operation) => !offered.includes(operation));
  if (missing.length === 0) return;
  throw new ConfigError(
    `${what} (port ${client.port?.port ?? 'none'}) lacks ${missing.join(', ')}; it offers ${offered.join(', ') || 'nothing'}. Add the operations to the integration port (System administration > Setup > Services and AIF > Inbound ports > Service operations)`,
    { key: `connectors.${where}.wsdl` },
  );
}
