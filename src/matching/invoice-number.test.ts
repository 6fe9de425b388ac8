import { describe, expect, it } from 'vitest';
import { compactKey, relateNumbers, unpaddedKey } from './invoice-number.ts';

describe('invoice numbers as people re-type them', () => {
  it('folds case, look-alike characters and separators into the keys', () => {
    expect(compactKey('inv-0O4711')).toBe('1NV004711');
    expect(unpaddedKey('RE2026-00815')).toBe('RE2026815');
    expect(unpaddedKey('00004457')).toBe('4457');
  });

  it.each([
    ['INV-004711', 'INV-004711', 'identical'],
    ['INV-004711', 'INV-4711', 'same-number'],
    ['00004457', '4457', 'same-number'],
    ['RE2026-00815', 'RE202600815', 'same-number'],
    ['RE2026-01474', 'RE002026-01474', 'same-number'],
    ['SI-0008280', 'SI-8280', 'same-number'],
    ['90006190', '9000 6190', 'same-number'],
    ['F26/03632', 'F26/O3632', 'same-number'],
    ['F26/05657', 'F26-05657', 'same-number'],
    ['INV-004711', 'INV-004711-DUP', 'extended'],
    ['SI-0002306', 'SI-0002306 COPY', 'extended'],
    ['RE2026-00815', 'RE2026-00815/A', 'extended'],
    ['INV-004711', 'INV-004712', 'one-character'],
    ['INV-004711', 'INV-005811', 'different'],
    ['4711', '12', 'different'],
  ])('%s and %s: %s', (a, b, kind) => {
    expect(relateNumbers(a, b, 4).kind).toBe(kind);
    expect(relateNumbers(b, a, 4).kind).toBe(kind);
  });

  it('names what was added and where one character differs', () => {
    expect(relateNumbers('INV-004711', 'INV-004711/A', 4)).toEqual({ kind: 'extended', suffix: 'A' });
    expect(relateNumbers('INV-004711', 'INV-004718', 4)).toEqual({ kind: 'one-character', at: 8 });
    expect(relateNumbers('INV-004711', 'INV-004711-COPY', 3).kind).toBe('different');
  });
});
