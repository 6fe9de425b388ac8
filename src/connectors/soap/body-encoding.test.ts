import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { charsetOf, decodeBody } from './body-encoding.ts';

describe('decodeBody', () => {
  const latin1 = Buffer.from('<a>Müller &amp; Söhne</a>', 'latin1');

  it('decodes by the Content-Type charset', () => {
    expect(decodeBody(latin1, 'text/xml; charset=ISO-8859-1')).toBe('<a>Müller &amp; Söhne</a>');
    expect(decodeBody(latin1, 'text/xml; charset="windows-1252"')).toBe('<a>Müller &amp; Söhne</a>');
  });

  it('falls back to the XML declaration, then UTF-8', () => {
    const declared = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="iso-8859-1"?>'), latin1]);
    expect(decodeBody(declared, 'text/xml')).toContain('Müller');
    expect(decodeBody(Buffer.from('<a>Müller</a>', 'utf8'), undefined)).toBe('<a>Müller</a>');
  });

  it('lets a byte order mark win, and drops it', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<a>ü</a>', 'utf16le')]);
    expect(decodeBody(utf16, 'text/xml; charset=utf-8')).toBe('<a>ü</a>');
    expect(decodeBody(Buffer.from('\uFEFF<a/>', 'utf8'), undefined)).toBe('<a/>');
  });

  it('treats an unknown charset as UTF-8 and passes strings through', () => {
    expect(decodeBody(Buffer.from('<a>é</a>'), 'text/xml; charset=x-sap-4103')).toBe('<a>é</a>');
    expect(decodeBody('<a/>', 'text/xml; charset=latin1')).toBe('<a/>');
    expect(decodeBody(undefined, undefined)).toBe('');
    expect(charsetOf('application/soap+xml; action="x"; charset=utf-8')).toBe('utf-8');
  });
});
