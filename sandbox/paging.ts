/**
 * Paging parameters, in both styles legacy ERPs use: `page`/`page_size` (1-based) or
 * `offset`/`limit`. The answer's envelope follows the style asked for.
 */

/** The largest page the sandbox serves. */
export const MAX_PAGE_SIZE = 1000;
/** The page size when none is asked for. */
export const DEFAULT_PAGE_SIZE = 100;

/** A parsed paging request; `offset`/`limit` are filled in for both styles. */
export type Paging =
  | { kind: 'page'; page: number; pageSize: number; offset: number; limit: number }
  | { kind: 'offset'; offset: number; limit: number };

/** The outcome of parsing paging parameters. */
export type PagingParse = Paging | { kind: 'invalid'; message: string };

/** A query-string parameter as a single string; repeated parameters are reported, not guessed at. */
export type QueryValue = { kind: 'absent' } | { kind: 'value'; value: string } | { kind: 'repeated' };

/** Reads one parameter of a parsed query string (an object of strings and string arrays). */
export function queryValue(query: unknown, name: string): QueryValue {
  if (typeof query !== 'object' || query === null || !(name in query)) return { kind: 'absent' };
  const value: unknown = Object.getOwnPropertyDescriptor(query, name)?.value;
  if (typeof value === 'string') return { kind: 'value', value };
  if (value === undefined) return { kind: 'absent' };
  return { kind: 'repeated' };
}

type IntegerParse = { kind: 'ok'; value: number | undefined } | { kind: 'invalid'; message: string };

function integerParameter(query: unknown, name: string, min: number, max: number): IntegerParse {
  const raw = queryValue(query, name);
  if (raw.kind === 'absent') return { kind: 'ok', value: undefined };
  if (raw.kind === 'repeated') return { kind: 'invalid', message: `${name} is given more than once` };
  if (!/^\d+$/.test(raw.value)) {
    return { kind: 'invalid', message: `${name} must be a whole number, got "${raw.value}"` };
  }
  const value = Number(raw.value);
  if (value < min) return { kind: 'invalid', message: `${name} must be at least ${min}, got ${value}` };
  if (value > max) return { kind: 'invalid', message: `${name} must be at most ${max}, got ${value}` };
  return { kind: 'ok', value };
}

/**
 * Parses `page`/`page_size` or `offset`/`limit` (not both styles at once). Defaults: page 1,
 * page size {@link DEFAULT_PAGE_SIZE}; offset 0, limit {@link DEFAULT_PAGE_SIZE}. A size beyond
 * {@link MAX_PAGE_SIZE} is an error, never silently cut.
 */
export function parsePaging(query: unknown): PagingParse {
  const page = integerParameter(query, 'page', 1, Number.MAX_SAFE_INTEGER);
  const pageSize = integerParameter(query, 'page_size', 1, MAX_PAGE_SIZE);
  const offset = integerParameter(query, 'offset', 0, Number.MAX_SAFE_INTEGER);
  const limit = integerParameter(query, 'limit', 1, MAX_PAGE_SIZE);
  for (const parsed of [page, pageSize, offset, limit]) if (parsed.kind === 'invalid') return parsed;
  const value = (parsed: IntegerParse) => (parsed.kind === 'ok' ? parsed.value : undefined);
  const pageStyle = value(page) !== undefined || value(pageSize) !== undefined;
  const offsetStyle = value(offset) !== undefined || value(limit) !== undefined;
  if (pageStyle && offsetStyle) {
    return { kind: 'invalid', message: 'use either page/page_size or offset/limit, not both' };
  }
  if (offsetStyle)
    return { kind: 'offset', offset: value(offset) ?? 0, limit: value(limit) ?? DEFAULT_PAGE_SIZE };
  const pageNumber = value(page) ?? 1;
  const size = value(pageSize) ?? DEFAULT_PAGE_SIZE;
  const start = (pageNumber - 1) * size;
  if (!Number.isSafeInteger(start)) return { kind: 'invalid', message: `page ${pageNumber} is out of range` };
  return { kind: 'page', page: pageNumber, pageSize: size, offset: start, limit: size };
}

/** The envelope fields besides `data`: `{page,page_size,total}` or `{offset,limit,total}`. */
export function pageMeta(paging: Paging, total: number) {
  return paging.kind === 'page'
    ? { page: paging.page, page_size: paging.pageSize, total }
    : { offset: paging.offset, limit: paging.limit, total };
}

/** The response envelope of a page: `{data,page,page_size,total}` or `{data,offset,limit,total}`. */
export function pageEnvelope<T>(paging: Paging, data: T[], total: number) {
  return { data, ...pageMeta(paging, total) };
}

/** {@link pageEnvelope} as JSON text, around records that are JSON text already. */
export function pageEnvelopeJson(paging: Paging, data: string[], total: number): string {
  return `{"data":[${data.join(',')}],${JSON.stringify(pageMeta(paging, total)).slice(1)}`;
}
