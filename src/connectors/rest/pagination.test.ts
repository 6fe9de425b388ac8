import { describe, expect, it } from 'vitest';
import { firstPageUrl, itemsOf, nextPage, type PageOutcome, totalOf } from './pagination.ts';
import type { Pagination } from './rest-config.ts';

const common = { pageSize: 10, itemsPath: 'data', totalPath: 'total' };
const page: Pagination = { ...common, style: 'page', pageParam: 'p', sizeParam: 'n', firstPage: 0 };
const offset: Pagination = { ...common, style: 'offset', offsetParam: 'skip', limitParam: 'top' };
const nextLink: Pagination = { ...common, style: 'next-link', nextPath: 'links.next', sizeParam: 'size' };
const collection = new URL('http://127.0.0.1:4010/api/po?status=open');

const outcome = (url: string, rest: Partial<PageOutcome> = {}): PageOutcome => ({
  url: new URL(url),
  body: {},
  count: 10,
  seen: 10,
  total: null,
  pageSize: 10,
  ...rest,
});
const nextHref = (result: ReturnType<typeof nextPage>) =>
  result.kind === 'next' ? result.url.href : result.kind;

describe('firstPageUrl', () => {
  it('page style: first page number and size, filters kept', () => {
    expect(firstPageUrl(page, collection, 25).href).toBe('http://127.0.0.1:4010/api/po?status=open&p=0&n=25');
  });
  it('offset style: offset 0 and limit', () => {
    expect(firstPageUrl(offset, collection, 25).href).toBe(
      'http://127.0.0.1:4010/api/po?status=open&skip=0&top=25',
    );
  });
  it('next-link style: only the size', () => {
    expect(firstPageUrl(nextLink, collection, 25).href).toBe(
      'http://127.0.0.1:4010/api/po?status=open&size=25',
    );
  });
  it('does not change the collection URL it is given', () => {
    firstPageUrl(page, collection, 5);
    expect(collection.search).toBe('?status=open');
  });
});

describe('nextPage, page and offset styles', () => {
  it('page: the next number, other parameters kept', () => {
    expect(nextHref(nextPage(page, outcome('http://h/po?status=open&p=3&n=10')))).toBe(
      'http://h/po?status=open&p=4&n=10',
    );
  });
  it('offset: advances by what arrived', () => {
    expect(nextHref(nextPage(offset, outcome('http://h/po?skip=20&top=10', { count: 10 })))).toBe(
      'http://h/po?skip=30&top=10',
    );
  });
  it('ends at an empty page, whatever the total says', () => {
    expect(nextPage(page, outcome('http://h/po?p=1&n=10', { count: 0, total: 100 })).kind).toBe('end');
    expect(nextPage(offset, outcome('http://h/po?skip=0&top=10', { count: 0 })).kind).toBe('end');
  });
  it('without a total, ends at a short page', () => {
    expect(nextPage(page, outcome('http://h/po?p=1&n=10', { count: 9 })).kind).toBe('end');
    expect(nextPage(page, outcome('http://h/po?p=1&n=10', { count: 10 })).kind).toBe('next');
  });
  it('with a total, ends when it is reached and goes on past a short (capped) page', () => {
    expect(
      nextPage(offset, outcome('http://h/po?skip=0&top=10', { count: 5, seen: 5, total: 12 })).kind,
    ).toBe('next');
    expect(
      nextPage(offset, outcome('http://h/po?skip=5&top=10', { count: 7, seen: 12, total: 12 })).kind,
    ).toBe('end');
    expect(nextPage(page, outcome('http://h/po?p=1&n=10', { count: 10, seen: 10, total: 10 })).kind).toBe(
      'end',
    );
  });
});

describe('nextPage, next-link style', () => {
  const at = 'http://127.0.0.1:4010/api/po?size=10';
  const withLink = (next: unknown, rest: Partial<PageOutcome> = {}) =>
    nextPage(nextLink, outcome(at, { body: { links: { next } }, ...rest }));

  it('resolves relative, query-only and absolute links against the current URL', () => {
    expect(nextHref(withLink('/api/po?cursor=b'))).toBe('http://127.0.0.1:4010/api/po?cursor=b');
    expect(nextHref(withLink('?cursor=c'))).toBe('http://127.0.0.1:4010/api/po?cursor=c');
    expect(nextHref(withLink('http://127.0.0.1:4010/api/po?cursor=d'))).toBe(
      'http://127.0.0.1:4010/api/po?cursor=d',
    );
  });
  it.each([null, undefined, ''])('ends when the link is %j', (next) => {
    expect(withLink(next).kind).toBe('end');
  });
  it('ends at an empty page even with a link', () => {
    expect(withLink('/api/po?cursor=z', { count: 0 }).kind).toBe('end');
  });
  it('follows the link even on a short page and past a total', () => {
    expect(withLink('/api/po?cursor=e', { count: 3, total: 3, seen: 3 }).kind).toBe('next');
  });
  it('refuses a link that is not a string', () => {
    expect(withLink(42)).toEqual({
      kind: 'invalid',
      message: 'the next link at "links.next" is a number, not a URL',
      option: 'pagination.nextPath',
    });
  });
  it('refuses a link to another origin', () => {
    const result = withLink('https://127.0.0.1:4010/api/po?cursor=x');
    expect(result.kind).toBe('invalid');
    if (result.kind === 'invalid') expect(result.option).toBe('baseUrl');
  });
});

describe('itemsOf and totalOf', () => {
  it('finds items at a dotted path, or the body itself', () => {
    expect(itemsOf({ ...page, itemsPath: 'result.rows' }, { result: { rows: [1] } })).toEqual([1]);
    expect(itemsOf({ ...page, itemsPath: '' }, [1, 2])).toEqual([1, 2]);
    expect(itemsOf(page, { data: { not: 'an array' } })).toBeUndefined();
  });
  it('reads a numeric or numeric-string total; anything else is null', () => {
    expect(totalOf(page, { total: 12 })).toBe(12);
    expect(totalOf(page, { total: ' 12 ' })).toBe(12);
    expect(totalOf(page, { total: -1 })).toBeNull();
    expect(totalOf(page, { total: 1.5 })).toBeNull();
    expect(totalOf(page, { total: 'many' })).toBeNull();
    expect(totalOf(page, {})).toBeNull();
    expect(totalOf({ ...page, totalPath: undefined }, { total: 3 })).toBeNull();
  });
});
