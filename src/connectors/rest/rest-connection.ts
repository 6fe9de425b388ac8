import { describeError, ErpError } from '../../errors/index.ts';
import type {
  Connection,
  ConnectorContext,
  ReadQuery,
  RecordPage,
  RecordReject,
  TestResult,
  VendorRecord,
  WriteRequest,
  WriteResult,
} from '../contract.ts';
import { bodyExcerpt, contextOf, errorForStatus, type HttpAnswer, headerValue } from './http-errors.ts';
import { firstPageUrl, itemsOf, nextPage, totalOf } from './pagination.ts';
import type { RestConfig, RestEntity } from './rest-config.ts';
import { createRestHttp, type RestHttp, type RestRequest } from './rest-http.ts';
import { isJsonObject, toVendorRecord } from './vendor-record.ts';

/**
 * A record of a read page that could not become a VendorRecord (no usable key, or not a JSON
 * object). The read goes on; the caller dead-letters it with `error`, a `validation` ErpError that
 * names the entity, the page's URL, the record's index and the key field.
 */

/** A page of a rest read: the contract's RecordPage plus the records it had to reject. */
export interface RestRecordPage extends RecordPage {
  /** Records left out of `records`; empty on a clean page. */
  rejects: RecordReject[];
}

/** A rest connection: a Connection whose pages also carry their rejects. */
export interface RestConnection extends Connection {
  read(query: ReadQuery): AsyncIterable<RestRecordPage>;
}

/** Opens a rest connection. Does no I/O: the first socket opens with the first call. */
export function connectRest(config: RestConfig, context: ConnectorContext): RestConnection {
  const http = createRestHttp(context.name, config);
  const base = new URL(config.baseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  const { pagination } = config;
  const where = `connectors.${context.name}`;

  const urlFor = (path: string): URL => new URL(`${basePath}${path}`, base.origin);

  const entityFor = (name: string, request: RestRequest): RestEntity => {
    // Own properties only: an entity named "constructor" is unknown, not Object's constructor.
    const entity = Object.hasOwn(config.entities, name) ? config.entities[name] : undefined;
    if (entity !== undefined) {
      if (request.key === '') {
        throw new ErpError('validation', `an empty key names no ${name} record`, {
          ...contextOf(http.describe(request)),
          field: entity.keyField,
        });
      }
      return entity;
    }
    const known = Object.keys(config.entities).join(', ');
    throw new ErpError('permanent', `unknown entity "${name}"; this connector knows ${known}`, {
      ...contextOf(http.describe(request)),
      hint: `declare it under ${where}.entities`,
    });
  };

  const itemUrl = (entity: RestEntity, key: string): URL =>
    urlFor(`${entity.path}${entity.itemPath.replaceAll('{key}', encodeURIComponent(key))}`);

  /** Parses a JSON body the ERP was supposed to send; anything else is a permanent error. */
  const parseJson = (answer: HttpAnswer, request: RestRequest, expected: string): unknown => {
    try {
      return JSON.parse(answer.body);
    } catch (cause) {
      throw unexpectedBody(answer, request, `is not JSON; expected ${expected}`, cause);
    }
  };

  const unexpectedBody = (answer: HttpAnswer, request: RestRequest, what: string, cause?: unknown) => {
    const described = http.describe(request);
    const excerpt = bodyExcerpt(answer.body, http.secrets) || '(empty)';
    return new ErpError('permanent', `${described.method} ${described.url}: the body ${what}: ${excerpt}`, {
      ...contextOf(described),
      status: answer.status,
      ...(cause === undefined ? {} : { cause }),
      hint:
        request.operation === 'read'
          ? `check ${where}.pagination and ${where}.entities.${request.entity ?? ''}`
          : `check ${where}.entities.${request.entity ?? ''}.itemPath`,
    });
  };

  async function* read(query: ReadQuery): AsyncGenerator<RestRecordPage, void, undefined> {
    const probe: RestRequest = { operation: 'read', method: 'GET', url: base, entity: query.entity };
    const entity = entityFor(query.entity, probe);
    const pageSize = query.pageSize ?? pagination.pageSize;
    if (!Number.isInteger(pageSize) || pageSize < 1) {
      throw new ErpError('validation', `pageSize must be a positive integer, not ${pageSize}`, {
        ...contextOf(http.describe(probe)),
        field: 'pageSize',
      });
    }
    const collection = urlFor(entity.path);
    for (const [name, value] of Object.entries(query.filter ?? {})) {
      const parameter = Object.hasOwn(entity.filters, name) ? entity.filters[name] : undefined;
      collection.searchParams.set(parameter ?? name, String(value));
    }
    const resumed =
      query.resumeFrom === undefined ? undefined : parseCursor(query.resumeFrom, collection, probe);
    let url = resumed?.url ?? firstPageUrl(pagination, collection, pageSize);
    // Page and offset URLs only move forward; next links may loop, so those are remembered.
    const visited = new Set<string>();
    let seen = resumed?.seen ?? 0;
    let previousKeys: string | undefined;
    for (let pageNumber = resumed?.page ?? 1; ; pageNumber++) {
      const request: RestRequest = {
        operation: 'read',
        method: 'GET',
        url,
        entity: query.entity,
        signal: query.signal,
      };
      if (pagination.style === 'next-link') visited.add(url.href);
      const answer = await http.send(request);
      if (!isSuccess(answer.status)) throw errorForStatus(answer, http.describe(request));
      const body = parseJson(answer, request, `an object with the records at "${pagination.itemsPath}"`);
      const items = itemsOf(pagination, body);
      if (items === undefined) {
        const at =
          pagination.itemsPath === '' ? 'is not an array' : `has no array at "${pagination.itemsPath}"`;
        throw unexpectedBody(answer, request, at);
      }
      const page = toPage(items, entity, request, pageNumber);
      page.total = totalOf(pagination, body);
      seen += items.length;

      const keys = page.records.map((record) => record.key).join('\u0000');
      if (page.records.length > 0 && keys === previousKeys) {
        throw new ErpError('permanent', `page ${pageNumber} repeats page ${pageNumber - 1}`, {
          ...contextOf(http.describe(request)),
          hint: `the ERP seems to ignore the paging parameters; check ${where}.pagination`,
        });
      }
      previousKeys = keys;
      const next = nextPage(pagination, {
        url,
        body,
        count: items.length,
        seen,
        total: page.total,
        pageSize,
      });
      page.cursor =
        next.kind === 'next' ? JSON.stringify({ url: next.url.href, seen, page: pageNumber + 1 }) : null;
      yield page;

      if (next.kind === 'end') return;
      if (next.kind === 'invalid') {
        throw new ErpError('permanent', `${http.describe(request).url}: ${next.message}`, {
          ...contextOf(http.describe(request)),
          hint: `check ${where}.${next.option}`,
        });
      }
      if (visited.has(next.url.href)) {
        throw new ErpError('permanent', `the next link of page ${pageNumber} leads back to an earlier page`, {
          ...contextOf(http.describe({ ...request, url: next.url })),
          hint: `the ERP's paging loops; check ${where}.pagination`,
        });
      }
      url = next.url;
    }
  }

  /** A cursor this connection made: the next page's URL (same origin as the collection), records seen, page number. */
  const parseCursor = (cursor: string, collection: URL, request: RestRequest) => {
    const invalid = () =>
      new ErpError('validation', 'resumeFrom is not a cursor this connector made', {
        ...contextOf(http.describe(request)),
        field: 'resumeFrom',
      });
    let parsed: unknown;
    try {
      parsed = JSON.parse(cursor);
    } catch (cause) {
      throw Object.assign(invalid(), { cause });
    }
    const url = typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'url') : undefined;
    const seen = typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'seen') : undefined;
    const page = typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'page') : undefined;
    if (typeof url !== 'string' || !Number.isInteger(seen) || !Number.isInteger(page)) throw invalid();
    const next = new URL(url);
    // Never follow a cursor to another host: it would carry this connector's credentials there.
    if (next.origin !== collection.origin) throw invalid();
    return { url: next, seen: Number(seen), page: Number(page) };
  };

  const toPage = (items: unknown[], entity: RestEntity, request: RestRequest, pageNumber: number) => {
    const page: RestRecordPage = { records: [], total: null, rejects: [] };
    items.forEach((item, index) => {
      const record = isJsonObject(item) ? toVendorRecord(item, entity) : undefined;
      if (record !== undefined) {
        page.records.push(record);
        return;
      }
      const described = http.describe(request);
      const problem = isJsonObject(item)
        ? `has no usable key field "${entity.keyField}"`
        : `is a ${Array.isArray(item) ? 'array' : typeof item}, not an object`;
      page.rejects.push({
        index,
        data: item,
        error: new ErpError(
          'validation',
          `${request.entity} record ${index} on page ${pageNumber} (${described.url}) ${problem}`,
          { ...contextOf(described), field: entity.keyField },
        ),
      });
    });
    return page;
  };

  const get = async (entityName: string, key: string, signal?: AbortSignal): Promise<VendorRecord | null> => {
    const probe: RestRequest = { operation: 'get', method: 'GET', url: base, entity: entityName, key };
    const entity = entityFor(entityName, probe);
    const request: RestRequest = { ...probe, url: itemUrl(entity, key), signal };
    const answer = await http.send(request);
    if (answer.status === 404) return null;
    if (!isSuccess(answer.status)) throw errorForStatus(answer, http.describe(request));
    const body = parseJson(answer, request, 'the record as a JSON object');
    const record = isJsonObject(body)
      ? toVendorRecord(body, entity, { etag: headerValue(answer.headers, 'etag'), fallbackKey: key })
      : undefined;
    if (record === undefined) throw unexpectedBody(answer, request, 'is not a JSON object');
    return record;
  };

  const write = async (change: WriteRequest): Promise<WriteResult> => {
    const probe: RestRequest = {
      operation: 'write',
      method: 'PATCH',
      url: base,
      entity: change.entity,
      key: change.key,
    };
    const entity = entityFor(change.entity, probe);
    if (entity.write === undefined) {
      throw new ErpError('permanent', `entity ${change.entity} is read-only in connector ${context.name}`, {
        ...contextOf(http.describe(probe)),
        hint: `add ${where}.entities.${change.entity}.write if the ERP accepts writes there`,
      });
    }
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (change.ifVersion !== undefined && change.ifVersion !== null) headers['if-match'] = change.ifVersion;
    if (change.idempotencyKey !== undefined) headers['idempotency-key'] = change.idempotencyKey;
    const request: RestRequest = {
      ...probe,
      method: entity.write.method,
      url: itemUrl(entity, change.key),
      headers,
      body: serialise(change.fields, http, probe),
      signal: change.signal,
    };
    const answer = await http.send(request);
    if (!isSuccess(answer.status)) throw errorForStatus(answer, http.describe(request));
    // The write happened: from here on nothing throws, or a retry would write twice.
    return { record: answeredRecord(answer, entity, change.key) };
  };

  const test = async (): Promise<TestResult> => {
    try {
      if (config.testPath !== undefined) {
        const request: RestRequest = { operation: 'test', method: 'GET', url: urlFor(config.testPath) };
        const answer = await http.send(request);
        if (!isSuccess(answer.status)) throw errorForStatus(answer, http.describe(request));
        return { ok: true, message: `${http.describe(request).url} answered ${answer.status}` };
      }
      const [entity] = Object.keys(config.entities);
      if (entity === undefined) return { ok: false, message: `${where} declares no entity to test` };
      for await (const page of read({ entity, pageSize: 1 })) {
        const total = page.total === null ? '' : `, ${page.total} records in all`;
        return { ok: true, message: `${config.baseUrl}: ${entity} answered${total}` };
      }
      return { ok: false, message: `${config.baseUrl}: ${entity} answered no page` };
    } catch (error) {
      return { ok: false, message: describeError(error) };
    }
  };

  /** The HTTP request `write` would send (auth headers left out), for `plan --wire`. */
  const describeWrite = (change: WriteRequest): string => {
    const probe: RestRequest = {
      operation: 'write',
      method: 'PATCH',
      url: base,
      entity: change.entity,
      key: change.key,
    };
    const entity = entityFor(change.entity, probe);
    if (entity.write === undefined)
      return `(entity ${change.entity} is read-only in connector ${context.name})`;
    const lines = [`${entity.write.method} ${itemUrl(entity, change.key)}`, 'Content-Type: application/json'];
    if (change.ifVersion !== undefined && change.ifVersion !== null)
      lines.push(`If-Match: ${change.ifVersion}`);
    if (change.idempotencyKey !== undefined) lines.push(`Idempotency-Key: ${change.idempotencyKey}`);
    return `${lines.join('\n')}\n\n${JSON.stringify(change.fields)}`;
  };

  return { read, get, write, test, close: () => http.close(), describeWrite };
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

function serialise(fields: Record<string, unknown>, http: RestHttp, request: RestRequest): string {
  try {
    return JSON.stringify(fields);
  } catch (cause) {
    throw new ErpError('validation', 'the fields to write cannot be sent as JSON', {
      ...contextOf(http.describe(request)),
      cause,
    });
  }
}

/** The record a successful write answered with, or null for an empty or non-JSON answer. */
function answeredRecord(answer: HttpAnswer, entity: RestEntity, key: string): VendorRecord | null {
  if (answer.body.trim() === '') return null;
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    // A success with a non-JSON body (some ERPs answer "OK"): the write stands, there is no record.
    return null;
  }
  if (!isJsonObject(body)) return null;
  const etag = headerValue(answer.headers, 'etag');
  return toVendorRecord(body, entity, { etag, fallbackKey: key }) ?? null;
}
