import { describe, expect, it } from 'vitest';
import { describeFormatPosition, describeWarning, FormatError, withLine } from './format-error.ts';

describe('FormatError', () => {
  it('puts file, line and segment in front of the reason', () => {
    expect(describeFormatPosition({ source: 'po.edi', line: 34, segment: 34, tag: 'SE' })).toBe(
      'po.edi:34 (segment 34 SE)',
    );
    expect(describeFormatPosition({ source: 'po.csv', line: 57 })).toBe('po.csv:57');
    expect(describeFormatPosition({ source: 'po.csv', line: 2, byte: 11 })).toBe('po.csv:2 (byte 11)');
    expect(describeFormatPosition({ source: 'idoc.xml', line: 2, tag: 'IDOC' })).toBe('idoc.xml:2 (IDOC)');
    expect(describeFormatPosition({})).toBe('input');
    const error = new FormatError('control', 'SE01 is wrong', {
      source: 'po.edi',
      line: 3,
      segment: 3,
      tag: 'SE',
    });
    expect([error.message, error.reason, error.problem]).toEqual([
      'po.edi:3 (segment 3 SE): SE01 is wrong',
      'SE01 is wrong',
      'control',
    ]);
  });

  it('adds a line only where none was known', () => {
    const decoded = new FormatError('encoding', 'not UTF-8', { source: 'a.csv', byte: 9 });
    expect(withLine(decoded, 4).message).toBe('a.csv:4 (byte 9): not UTF-8');
    expect(withLine(withLine(decoded, 4), 9).position.line).toBe(4);
    expect(describeWarning({ message: 'read as Latin-1', position: { source: 'a.edi', byte: 3 } })).toBe(
      'a.edi (byte 3): read as Latin-1',
    );
  });
});
