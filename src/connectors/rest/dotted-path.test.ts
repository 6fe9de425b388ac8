import { describe, expect, it } from 'vitest';
import { readDottedPath } from './dotted-path.ts';

describe('readDottedPath', () => {
  const body = { data: [{ id: 1 }], links: { next: '/p?page=2' }, meta: { total: 3 } };

  it('returns the body itself for the empty path', () => {
    expect(readDottedPath(body, '')).toBe(body);
  });

  it('walks nested objects and array indexes', () => {
    expect(readDottedPath(body, 'links.next')).toBe('/p?page=2');
    expect(readDottedPath(body, 'data.0.id')).toBe(1);
  });

  it('yields undefined for missing steps, primitives and inherited properties', () => {
    expect(readDottedPath(body, 'links.prev')).toBeUndefined();
    expect(readDottedPath(body, 'meta.total.value')).toBeUndefined();
    expect(readDottedPath(body, 'data.x')).toBeUndefined();
    expect(readDottedPath(null, 'a')).toBeUndefined();
    expect(readDottedPath(body, 'toString')).toBeUndefined();
  });
});
