import { describe, expect, test } from 'vitest';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, pageEnvelope, pageEnvelopeJson, parsePaging } from './paging.ts';

describe('parsePaging', () => {
  test('defaults to the first page of the default size', () => {
    expect(parsePaging({})).toEqual({
      kind: 'page',
      page: 1,
      pageSize: DEFAULT_PAGE_SIZE,
      offset: 0,
      limit: DEFAULT_PAGE_SIZE,
    });
  });

  test('page/page_size is 1-based', () => {
    expect(parsePaging({ page: '3', page_size: '500' })).toEqual({
      kind: 'page',
      page: 3,
      pageSize: 500,
      offset: 1000,
      limit: 500,
    });
  });

  test('offset/limit', () => {
    expect(parsePaging({ offset: '250', limit: '50' })).toEqual({ kind: 'offset', offset: 250, limit: 50 });
    expect(parsePaging({ limit: '10' })).toEqual({ kind: 'offset', offset: 0, limit: 10 });
  });

  test('a page beyond the maximum size is an error, not cut', () => {
    expect(parsePaging({ page_size: String(MAX_PAGE_SIZE + 1) })).toEqual({
      kind: 'invalid',
      message: 'page_size must be at most 1000, got 1001',
    });
    expect(parsePaging({ limit: '5000' })).toEqual({
      kind: 'invalid',
      message: 'limit must be at most 1000, got 5000',
    });
  });

  test.each([
    [{ page: '0' }, 'page must be at least 1, got 0'],
    [{ page: 'two' }, 'page must be a whole number, got "two"'],
    [{ page_size: '0' }, 'page_size must be at least 1, got 0'],
    [{ offset: '-1' }, 'offset must be a whole number, got "-1"'],
    [{ page: ['1', '2'] }, 'page is given more than once'],
    [{ page: '1', limit: '10' }, 'use either page/page_size or offset/limit, not both'],
  ])('%j is refused: %s', (query, message) => {
    expect(parsePaging(query)).toEqual({ kind: 'invalid', message });
  });
});

describe('envelopes', () => {
  test('follow the paging style', () => {
    const page = parsePaging({ page: '2', page_size: '2' });
    const offset = parsePaging({ offset: '2', limit: '2' });
    if (page.kind === 'invalid' || offset.kind === 'invalid') throw new Error('valid paging expected');
    expect(pageEnvelope(page, ['a'], 9)).toEqual({ data: ['a'], page: 2, page_size: 2, total: 9 });
    expect(pageEnvelope(offset, ['a'], 9)).toEqual({ data: ['a'], offset: 2, limit: 2, total: 9 });
  });

  test('the JSON-text envelope is the same document', () => {
    const page = parsePaging({ page: '1', page_size: '2' });
    if (page.kind === 'invalid') throw new Error('valid paging expected');
    const data = [{ po_number: '1' }, { po_number: '2' }];
    const json = pageEnvelopeJson(
      page,
      data.map((record) => JSON.stringify(record)),
      2,
    );
    expect(JSON.parse(json)).toEqual(pageEnvelope(page, data, 2));
    expect(JSON.parse(pageEnvelopeJson(page, [], 0))).toEqual({ data: [], page: 1, page_size: 2, total: 0 });
  });
});
