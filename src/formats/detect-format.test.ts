import { Buffer } from 'node:buffer';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { detectFormat } from './detect-format.ts';

describe('detectFormat', () => {
  it('tells the five formats apart by their first bytes', () => {
    expect(detectFormat(Buffer.from('ISA*00*          *00*'))).toBe('x12');
    expect(detectFormat(Buffer.from("\r\nUNA:+.? 'UNB+UNOC:3"))).toBe('edifact');
    expect(detectFormat(Buffer.from("UNB+UNOA:3+S+R'"))).toBe('edifact');
    expect(detectFormat(Buffer.from('<?xml version="1.0"?><Orders><Order/></Orders>'))).toBe('xml');
    expect(detectFormat(Buffer.from('<ORDERS05>\n\t<IDOC BEGIN="1">\n\t\t<EDI_DC40 SEGMENT="1">'))).toBe(
      'idoc',
    );
    expect(detectFormat(Buffer.from('\uFEFFPO;VENDOR\n1;2\n'))).toBe('csv');
    expect(
      detectFormat(
        iconv.encode('<?xml version="1.0" encoding="UTF-16"?><IDOC/>', 'utf-16le', { addBOM: true }),
      ),
    ).toBe('idoc');
    expect(detectFormat(Buffer.from('ISAAC,NEWTON\n'))).toBe('csv');
  });

  it('refuses empty and binary input, naming the file and line', () => {
    expect(() => detectFormat(Buffer.from(' \n'), 'x.csv')).toThrow(
      'x.csv: the file is empty (or only blank)',
    );
    expect(() => detectFormat(Buffer.from('a\nb\u0000c'), 'x.bin')).toThrow('x.bin:2: a NUL byte');
  });
});
