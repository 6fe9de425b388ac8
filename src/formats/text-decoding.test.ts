import { Buffer } from 'node:buffer';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import type { FormatWarning } from './format-error.ts';
import { completeUtf8Length, decodeText, firstInvalidUtf8, sniffEncoding } from './text-decoding.ts';

async function decodeAll(bytes: Buffer, options: Parameters<typeof decodeText>[2], chunkSize = 3) {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunkSize) chunks.push(bytes.subarray(at, at + chunkSize));
  const decoded = decodeText(bytes.subarray(0, 4), chunks, options);
  let text = '';
  for await (const chunk of decoded.chunks) text += chunk;
  return { text, encoding: decoded.encoding, bom: decoded.bom };
}

describe('sniffEncoding', () => {
  it('knows the BOMs and UTF-16 XML without one', () => {
    expect(sniffEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x61]))).toEqual({ encoding: 'utf-8', bomLength: 3 });
    expect(sniffEncoding(Buffer.from([0xff, 0xfe, 0x61, 0]))).toEqual({ encoding: 'utf-16le', bomLength: 2 });
    expect(sniffEncoding(Buffer.from([0xfe, 0xff, 0, 0x61]))).toEqual({ encoding: 'utf-16be', bomLength: 2 });
    expect(sniffEncoding(Buffer.from('<\u0000?\u0000', 'latin1'))).toEqual({
      encoding: 'utf-16le',
      bomLength: 0,
    });
    expect(sniffEncoding(Buffer.from('a,b'))).toBe(undefined);
  });
});

describe('UTF-8 boundaries', () => {
  it('holds back an incomplete trailing sequence', () => {
    const euro = Buffer.from('a€', 'utf8'); // 61 E2 82 AC
    expect(completeUtf8Length(euro)).toBe(4);
    expect(completeUtf8Length(euro.subarray(0, 3))).toBe(1);
    expect(completeUtf8Length(euro.subarray(0, 2))).toBe(1);
    expect(completeUtf8Length(Buffer.from([0x61, 0xf0, 0x9f, 0x98]))).toBe(1);
  });

  it('finds the first invalid byte, overlongs and surrogates included', () => {
    expect(firstInvalidUtf8(Buffer.from('ok ü €', 'utf8'))).toBe(-1);
    expect(firstInvalidUtf8(Buffer.from('Müller', 'latin1'))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xc0, 0x80]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0);
  });
});

describe('decodeText', () => {
  it('decodes UTF-8 split anywhere, skipping its BOM', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Grüße €😀\n', 'utf8')]);
    for (const size of [1, 2, 3, 5]) {
      expect(await decodeAll(bytes, { source: 'x' }, size)).toEqual({
        text: 'Grüße €😀\n',
        encoding: 'utf-8',
        bom: true,
      });
    }
  });

  it('decodes UTF-16 LE and BE with a BOM, and code pages when told', async () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Grüße\n', 'utf16le')]);
    expect(await decodeAll(le, { source: 'x' })).toEqual({
      text: 'Grüße\n',
      encoding: 'utf-16le',
      bom: true,
    });
    const be = iconv.encode('Grüße\n', 'utf-16be', { addBOM: true });
    expect(await decodeAll(be, { source: 'x' })).toEqual({
      text: 'Grüße\n',
      encoding: 'utf-16be',
      bom: true,
    });
    const cp1252 = iconv.encode('€ Straße', 'windows-1252');
    expect((await decodeAll(cp1252, { source: 'x', encoding: 'windows-1252' })).text).toBe('€ Straße');
    const latin9 = iconv.encode('€ Straße', 'iso-8859-15');
    expect((await decodeAll(latin9, { source: 'x', encoding: 'ISO-8859-15' })).text).toBe('€ Straße');
  });

  it('refuses bytes that are not UTF-8, naming byte and line', async () => {
    await expect(decodeAll(Buffer.from('a\nb\nMüller', 'latin1'), { source: 'f.csv' })).rejects.toThrow(
      'f.csv:3 (byte 5): bytes 0xFC 0x6C 0x6C are not UTF-8; the file is likely Windows-1252 or ISO-8859-1: pass that encoding',
    );
  });

  it('falls back to Latin-1 with one warning when asked to', async () => {
    const warnings: FormatWarning[] = [];
    const result = await decodeAll(Buffer.from('ok\nMüller Straße', 'latin1'), {
      source: 'x',
      invalidUtf8: 'latin1',
      onWarning: (w) => warnings.push(w),
    });
    expect(result.text).toBe('ok\nMüller Straße');
    expect(warnings.map((w) => w.position.byte)).toEqual([4]);
  });

  it('refuses NUL bytes and an unknown encoding', async () => {
    await expect(decodeAll(Buffer.from('a\u0000b'), { source: 'x' })).rejects.toThrow(
      /x:1 \(byte 1\): a NUL byte/,
    );
    await expect(decodeAll(Buffer.from('a'), { source: 'x', encoding: 'klingon' })).rejects.toThrow(
      'x: unknown encoding "klingon"',
    );
  });
});
