import { describe, expect, it } from 'vitest';
import { detectCsvDialect } from './csv-dialect.ts';

describe('detectCsvDialect', () => {
  it('finds , ; tab and | and the line ending', () => {
    expect(detectCsvDialect('a,b,c\n1,2,3\n')).toEqual({ delimiter: ',', quote: '"', recordDelimiter: '\n' });
    expect(detectCsvDialect('PO;VENDOR;AMOUNT\r\n0045000123;ACME;12345,67\r\n')).toEqual({
      delimiter: ';',
      quote: '"',
      recordDelimiter: '\r\n',
    });
    expect(detectCsvDialect('a\tb\r1\t2\r').delimiter).toBe('\t');
    expect(detectCsvDialect('a\tb\r1\t2\r').recordDelimiter).toBe('\r');
    expect(detectCsvDialect('MATNR|MAKTX\n100|Bolt, M8\n200|Nut, M8\n').delimiter).toBe('|');
  });

  it('ignores delimiters inside quotes, and sees single quotes', () => {
    expect(detectCsvDialect('"a;b",c\n"d;e",f\n').delimiter).toBe(',');
    expect(detectCsvDialect("'a,b';c\n'd,e';f\n")).toEqual({
      delimiter: ';',
      quote: "'",
      recordDelimiter: '\n',
    });
  });

  it('falls back to , for one column and to the earlier candidate on a tie', () => {
    expect(detectCsvDialect('only\nvalues\n').delimiter).toBe(',');
    expect(detectCsvDialect('a;b,c\n').delimiter).toBe(',');
  });
});
