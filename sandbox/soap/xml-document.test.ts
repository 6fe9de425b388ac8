import { describe, expect, test } from 'vitest';
import { readSoapRequest, SOAP11_NAMESPACE } from './soap-envelope.ts';
import {
  attributeValue,
  childText,
  decodeXmlText,
  isNil,
  parseXmlDocument,
  XmlRefusal,
} from './xml-document.ts';
import { element, escapeXml, fragment, leafRows } from './xml-writer.ts';

function refusal(text: string): XmlRefusal {
  try {
    parseXmlDocument(text);
  } catch (error) {
    if (error instanceof XmlRefusal) return error;
    throw error;
  }
  throw new Error('the document was accepted');
}

describe('parseXmlDocument', () => {
  test('resolves prefixes and default namespaces, and leaves unprefixed attributes in none', () => {
    const root = parseXmlDocument(
      '<a:Root xmlns:a="urn:a" xmlns="urn:default" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">' +
        '<Child class="entity"><a:Leaf i:nil="true"/></Child><Inner xmlns=""><Plain>x</Plain></Inner></a:Root>',
    );
    expect(root).toMatchObject({ namespace: 'urn:a', local: 'Root' });
    const child = root.children[0];
    expect(child).toMatchObject({ namespace: 'urn:default', local: 'Child' });
    expect(child && attributeValue(child, 'class')).toBe('entity');
    const leaf = child?.children[0];
    expect(leaf && isNil(leaf)).toBe(true);
    expect(root.children[1]?.children[0]).toMatchObject({ namespace: '', local: 'Plain', text: 'x' });
  });

  test('decodes the predefined entities and character references, and takes CDATA literally', () => {
    const root = parseXmlDocument(
      '<r><a>A &amp; B &lt;&#233;&#x20AC;&gt;</a><b><![CDATA[&amp; <x>]]></b></r>',
    );
    expect(childText(root, 'a')).toBe('A & B <é€>');
    expect(childText(root, 'b')).toBe('&amp; <x>');
  });

  test.each([
    ['<!DOCTYPE r [<!ENTITY x "boom">]><r>&x;</r>', 'doctype'],
    ['<!doctype r SYSTEM "file:///etc/passwd"><r/>', 'doctype'],
    ['<r>&x;</r>', 'entity'],
    ['<r><a></r>', 'malformed'],
    ['<r/><s/>', 'malformed'],
    ['<p:r/>', 'namespace'],
  ])('refuses %s (%s)', (text, reason) => {
    expect(refusal(text).reason).toBe(reason);
  });

  test('refuses character references that name no character', () => {
    expect(() => decodeXmlText('&#0;')).toThrow(XmlRefusal);
    expect(() => decodeXmlText('&#xD800;')).toThrow('names no character');
  });
});

describe('readSoapRequest', () => {
  const soap11 = (body: string) =>
    `<e:Envelope xmlns:e="${SOAP11_NAMESPACE}"><e:Body>${body}</e:Body></e:Envelope>`;

  test('returns the header and the one body element', () => {
    const read = readSoapRequest(soap11('<x:Call xmlns:x="urn:x"><A>1</A></x:Call>'));
    expect(read).toMatchObject({
      kind: 'request',
      request: { header: null, body: { local: 'Call', namespace: 'urn:x' } },
    });
  });

  test.each([
    [soap11(''), 'Client', 'exactly one element'],
    [
      '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>',
      'VersionMismatch',
      'SOAP 1.1',
    ],
    ['<Envelope><Body/></Envelope>', 'VersionMismatch', 'Expected a SOAP 1.1 Envelope'],
    ['<!DOCTYPE e [<!ENTITY a "b">]><e/>', 'Client', 'DTDs) are not allowed'],
  ])('answers a fault for %s', (text, code, message) => {
    const read = readSoapRequest(text);
    expect(read.kind).toBe('fault');
    if (read.kind === 'fault') {
      expect(read.fault.code).toBe(code);
      expect(read.fault.message).toContain(message);
    }
  });
});

describe('xml-writer', () => {
  test('escapes text and drops characters XML cannot carry', () => {
    expect(escapeXml(`a<b>&"c'\u0001\u0009`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;\t');
    expect(element('A', '1 & 2', { x: 'y"z', skipped: undefined }).xml).toBe('<A x="y&quot;z">1 &amp; 2</A>');
    expect(element('Empty').xml).toBe('<Empty/>');
  });
});

describe('writing rows', () => {
  test('leafRows writes every field of every row, empty ones as <NAME/>, values escaped', () => {
    const write = leafRows<Record<string, string>>(
      'item',
      ['PO_NUMBER', 'DELETE_IND', 'VEND_NAME'],
      (row, index) => (index === 0 ? (row.number ?? '') : index === 1 ? '' : (row.name ?? '')),
    );
    expect(
      write([
        { number: '0045000001', name: 'Müller & Söhne <GmbH>' },
        { number: '0045000002', name: '' },
      ]).xml,
    ).toBe(
      '<item><PO_NUMBER>0045000001</PO_NUMBER><DELETE_IND/><VEND_NAME>Müller &amp; Söhne &lt;GmbH&gt;</VEND_NAME></item>' +
        '<item><PO_NUMBER>0045000002</PO_NUMBER><DELETE_IND/><VEND_NAME/></item>',
    );
    expect(write([]).xml).toBe('');
    expect(
      parseXmlDocument(`<T>${write([{ number: '1', name: 'a\u0001b' }]).xml}</T>`).children,
    ).toHaveLength(1);
  });

  test('fragment joins pieces in order; one piece is itself', () => {
    const one = element('A', '1');
    expect(fragment([one])).toBe(one);
    expect(fragment([one, element('B'), element('C', 'x & y')]).xml).toBe('<A>1</A><B/><C>x &amp; y</C>');
    expect(fragment([]).xml).toBe('');
  });
});
