import { describe, expect, it } from 'vitest';
import { buildXml, escapeXmlText } from './build-xml.ts';
import { parseXml } from './parse-xml.ts';
import { XmlError } from './xml-error.ts';

describe('buildXml', () => {
  it('writes elements, repetitions, attributes and escaped text', () => {
    const xml = buildXml(
      {
        Order: {
          '@id': 'a"<&',
          Note: 'a < b & c ]]> d',
          Line: [{ Qty: 1 }, { Qty: 2.5 }],
          Urgent: true,
          Empty: null,
          Skipped: undefined,
        },
      },
      { declaration: false },
    );
    expect(xml).toBe(
      '<Order id="a&quot;&lt;&amp;"><Note>a &lt; b &amp; c ]]&gt; d</Note><Line><Qty>1</Qty></Line><Line><Qty>2.5</Qty></Line><Urgent>true</Urgent><Empty/></Order>',
    );
  });

  it('round-trips through parseXml', () => {
    const order = { Order: { '@id': '7', PO_NUMBER: '0045000123', Text: '  padded  ', Item: ['1', '2'] } };
    expect(parseXml(buildXml(order))).toEqual(order);
  });

  it('starts with an XML declaration unless told not to, and indents on request', () => {
    expect(buildXml({ a: 'x' })).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<a>x</a>');
    expect(buildXml({ a: { b: 'x' } }, { declaration: false, indent: 2 })).toBe('<a>\n  <b>x</b>\n</a>\n');
  });

  it('refuses names that would break the document, naming the path', () => {
    expect(() => buildXml({ Order: { 'x><evil': 'y' } })).toThrow(
      new XmlError('invalid-name', 'Order.x><evil: "x><evil" is not a valid XML element name'),
    );
    expect(() => buildXml({ Order: { '@a b': 'y' } })).toThrow(/is not a valid XML attribute name/);
    expect(() => buildXml({ Order: { '#text': { a: '1' } } })).toThrow(/must be text/);
  });

  it('refuses characters XML cannot carry', () => {
    expect(() => buildXml({ Order: { Note: ['ok', 'bell\u0007'] } })).toThrow(
      'Order.Note[1]: character U+0007 at position 4 cannot be written in XML; remove it from the value',
    );
    expect(() => buildXml({ a: '\uD800' })).toThrow(/U\+D800/);
    expect(buildXml({ a: 'tab\tnewline\n😀' }, { declaration: false })).toBe('<a>tab\tnewline\n😀</a>');
  });

  it('escapes text for hand-written XML with the same refusals (escapeXmlText)', () => {
    expect(escapeXmlText('0045000001', 'TDNAME')).toBe('0045000001');
    expect(escapeXmlText('a < b & c > d', 'TDLINE')).toBe('a &lt; b &amp; c &gt; d');
    expect(parseXml(`<x>${escapeXmlText('a < b & "c"', 'x')}</x>`)).toEqual({ x: 'a < b & "c"' });
    expect(() => escapeXmlText('nul\u0000', 'TEXT_LINES.item[3].TDNAME')).toThrow(
      'TEXT_LINES.item[3].TDNAME: character U+0000 at position 3 cannot be written in XML; remove it from the value',
    );
  });
});
