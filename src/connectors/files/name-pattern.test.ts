import { describe, expect, it } from 'vitest';
import { fillTemplate, namePattern } from './name-pattern.ts';

describe('namePattern', () => {
  it('matches * and ? and nothing else as wildcards', () => {
    const matches = namePattern('po-*.csv');
    expect(matches('po-open-1.csv')).toBe(true);
    expect(matches('po-.csv')).toBe(true);
    expect(matches('po-open-1.csvx')).toBe(false);
    expect(matches('xpo-1.csv')).toBe(false);
    expect(namePattern('a?.txt')('ab.txt')).toBe(true);
    expect(namePattern('a?.txt')('abc.txt')).toBe(false);
    expect(namePattern('a.b(c)+')('a.b(c)+')).toBe(true);
    expect(namePattern('a.b')('axb')).toBe(false);
  });
});

describe('fillTemplate', () => {
  it('replaces known placeholders and keeps unknown ones', () => {
    expect(fillTemplate('po-{batch}.csv', { batch: '3fa2' })).toBe('po-3fa2.csv');
    expect(fillTemplate('{file}.result.csv', { file: 'x.csv' })).toBe('x.csv.result.csv');
    expect(fillTemplate('{other}.csv', {})).toBe('{other}.csv');
  });
});
