import { readDottedPath } from './dotted-path.ts';
import type { Pagination } from './rest-config.ts';

/**
 * Which page comes next, for each pagination style. Pure: the next URL is computed from the URL
 * just read and what it answered, so a read needs no cursor state of its own.
 *
 * A read ends at an empty page, when the records seen reach the reported total, or — when the ERP
 * reports no total — at a page shorter than asked. With a total, a short page does not end the
 * read: an ERP that caps the page size below `pageSize` is still read to the end.
 */

/** What the page just read tells the pager. */
export interface PageOutcome {
  /** The URL of the page just read. */
  url: URL;
  /** Its parsed body. */
  body: unknown;
  /** Items on the page, rejected ones included. */
  count: number;
  /** Items seen so far in this read, this page included. */
  seen: number;
  /** The reported total, or null. */
  total: number | null;
  /** Records asked per page. */
  pageSize: number;
}

/** The next step of a read. */
export type NextPage =
  | { kind: 'next'; url: URL }
  | { kind: 'end' }
  /** The ERP answered something the pager cannot follow; `message` says what, `option` what to check. */
  | { kind: 'invalid'; message: string; option: string };

/** The URL of a read's first page: the collection URL (filters already set) plus paging parameters. */
export function firstPageUrl(pagination: Pagination, collection: URL, pageSize: number): URL {
  const url = new URL(collection);
  switch (pagination.style) {
    case 'page':
      url.searchParams.set(pagination.pageParam, String(pagination.firstPage));
      url.searchParams.set(pagination.sizeParam, String(pageSize));
      break;
    case 'offset':
      url.searchParams.set(pagination.offsetParam, '0');
      url.searchParams.set(pagination.limitParam, String(pageSize));
      break;
    case 'next-link':
      url.searchParams.set(pagination.sizeParam, String(pageSize));
      break;
  }
  return url;
}

/** Decides the next page after `outcome`. */
export function nextPage(pagination: Pagination, outcome: PageOutcome): NextPage {
  if (outcome.count === 0) return { kind: 'end' };
  switch (pagination.style) {
    case 'page': {
      if (isLastCountedPage(outcome)) return { kind: 'end' };
      const url = new URL(outcome.url);
      const current = Number(url.searchParams.get(pagination.pageParam));
      url.searchParams.set(pagination.pageParam, String(current + 1));
      return { kind: 'next', url };
    }
    case 'offset': {
      if (isLastCountedPage(outcome)) return { kind: 'end' };
      const url = new URL(outcome.url);
      const current = Number(url.searchParams.get(pagination.offsetParam));
      // Advance by what arrived, not by what was asked: right even when the ERP caps the page size.
      url.searchParams.set(pagination.offsetParam, String(current + outcome.count));
      return { kind: 'next', url };
    }
    case 'next-link':
      return followLink(pagination.nextPath, outcome);
  }
}

function isLastCountedPage(outcome: PageOutcome): boolean {
  if (outcome.total !== null) return outcome.seen >= outcome.total;
  return outcome.count < outcome.pageSize;
}

function followLink(nextPath: string, outcome: PageOutcome): NextPage {
  const link = readDottedPath(outcome.body, nextPath);
  if (link === undefined || link === null || link === '') return { kind: 'end' };
  const option = 'pagination.nextPath';
  if (typeof link !== 'string') {
    return {
      kind: 'invalid',
      message: `the next link at "${nextPath}" is a ${typeof link}, not a URL`,
      option,
    };
  }
  let url: URL;
  try {
    url = new URL(link, outcome.url);
  } catch {
    // An unparseable link must not end the read quietly, as if it were the last page.
    return { kind: 'invalid', message: `the next link at "${nextPath}" is not a URL`, option };
  }
  if (url.origin !== outcome.url.origin) {
    // Following it would send our credentials to another host.
    return {
      kind: 'invalid',
      message: `the next link points to ${url.origin}, not to ${outcome.url.origin}; credentials are not sent elsewhere`,
      option: 'baseUrl',
    };
  }
  return { kind: 'next', url };
}

/** The array of records on a page, or undefined when `itemsPath` does not lead to an array. */
export function itemsOf(pagination: Pagination, body: unknown): unknown[] | undefined {
  const items = readDottedPath(body, pagination.itemsPath);
  return Array.isArray(items) ? items : undefined;
}

/**
 * The reported total: a non-negative number or a numeric string at `totalPath`; null when there is
 * no totalPath or the body holds nothing usable there (some ERPs report it on the first page only).
 */
export function totalOf(pagination: Pagination, body: unknown): number | null {
  if (pagination.totalPath === undefined) return null;
  const value = readDottedPath(body, pagination.totalPath);
  const total = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof total === 'number' && Number.isInteger(total) && total >= 0 ? total : null;
}
