import { describe, expect, it } from 'vitest';
import type { RestEntity } from './rest-config.ts';
import { keyOf, toVendorRecord, versionOf } from './vendor-record.ts';

const entity: RestEntity = {
  path: '/po',
  keyField: 'id',
  versionField: 'rev',
  filters: {},
  itemPath: '/{key}',
};

describe('keyOf', () => {
  it.each<[unknown, string | undefined]>([
    ['0045000012', '0045000012'],
    [45, '45'],
    ['', undefined],
    [null, undefined],
    [undefined, undefined],
    [Number.NaN, undefined],
    [true, undefined],
    [{ id: 1 }, undefined],
  ])('%j → %j', (value, key) => {
    expect(keyOf({ id: value }, 'id')).toBe(key);
  });
});

describe('versionOf', () => {
  it('quotes the version field like an ETag', () => {
    expect(versionOf({ rev: '2024-01-01T00:00:00Z' }, 'rev')).toBe('"2024-01-01T00:00:00Z"');
    expect(versionOf({ rev: 7 }, 'rev')).toBe('"7"');
  });
  it('is null without a version field or value', () => {
    expect(versionOf({ rev: 7 }, undefined)).toBeNull();
    expect(versionOf({}, 'rev')).toBeNull();
    expect(versionOf({ rev: { nested: 1 } }, 'rev')).toBeNull();
  });
});

describe('toVendorRecord', () => {
  it('an ETag wins over the version field', () => {
    expect(toVendorRecord({ id: 'A', rev: 1 }, entity, { etag: 'W/"x"' })).toEqual({
      key: 'A',
      version: 'W/"x"',
      data: { id: 'A', rev: 1 },
    });
  });
  it('uses the fallback key when the object does not repeat its key', () => {
    expect(toVendorRecord({ rev: 2 }, entity, { fallbackKey: 'B' })?.key).toBe('B');
    expect(toVendorRecord({ rev: 2 }, entity)).toBeUndefined();
  });
});
