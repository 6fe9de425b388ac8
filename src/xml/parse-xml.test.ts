import { describe, expect, it } from 'vitest';
import { parseXml } from './parse-xml.ts';
import { XmlError } from './xml-error.ts';
import { childAt, textOf } from './xml-node.ts';

const ENVELOPE = `<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Header/>
  <soap:Body>
    <n0:BAPI_PO_GETDETAIL1Response xmlns:n0="urn:sap-com:document:sap:rfc:functions">
      <POHEADER>
        <PO_NUMBER>0045000123</PO_NUMBER>
        <CREAT_DATE>20261104</CREAT_DATE>
        <VENDOR>  ACME  </VENDOR>
        <NOTE>a &lt; b &amp; c &#233; &#x41;</NOTE>
      </POHEADER>
      <RETURN><item><TYPE>S</TYPE></item></RETURN>
    </n0:BAPI_PO_GETDETAIL1Response>
  </soap:Body>
</soap:Envelope>`;

function refusal(text: string, options: Parameters<typeof parseXml>[1] = {}): XmlError {
  try {
    parseXml(text, options);
  } catch (error) {
    if (error instanceof XmlError) return error;
    throw error;
  }
  throw new Error('expected parseXml to refuse the document');
}

describe('parseXml', () => {
  it('parses a SOAP envelope: prefixes stripped, values exactly as sent', () => {
    const doc = parseXml(ENVELOPE, { arrays: ['item'] });
    const response = childAt(doc, 'Envelope', 'Body', 'BAPI_PO_GETDETAIL1Response');
    expect(childAt(response, 'POHEADER')).toEqual({
      PO_NUMBER: '0045000123',
      CREAT_DATE: '20261104',
      VENDOR: '  ACME  ',
      NOTE: 'a < b & c é A',
    });
    expect(childAt(response, 'RETURN')).toEqual({ item: [{ TYPE: 'S' }] });
    expect(childAt(doc, 'Envelope', 'Header')).toBe('');
  });

  it('keeps prefixes and xmlns attributes when asked', () => {
    const doc = parseXml(ENVELOPE, { namespaces: 'keep' });
    const envelope = childAt(doc, 'soap:Envelope');
    expect(envelope).toMatchObject({ '@xmlns:soap': 'http://schemas.xmlsoap.org/soap/envelope/' });
    expect(childAt(envelope, 'soap:Body', 'n0:BAPI_PO_GETDETAIL1Response', 'POHEADER', 'PO_NUMBER')).toBe(
      '0045000123',
    );
  });

  it('refuses a DOCTYPE, naming the line', () => {
    const error = refusal('<?xml version="1.0"?>\n<!DOCTYPE order>\n<order/>', { source: 'answer.xml' });
    expect(error.problem).toBe('doctype');
    expect(error.line).toBe(2);
    expect(error.reason).toBe(
      '<!DOCTYPE refused: erpbridge reads no DTD (it could expand entities or fetch files); the document must not declare one',
    );
    expect(error.message).toBe(
      'answer.xml:2:1: <!DOCTYPE refused: erpbridge reads no DTD (it could expand entities or fetch files); the document must not declare one',
    );
  });

  it('refuses an external entity (XXE) before anything could read the file', () => {
    const xxe = `<?xml version="1.0"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<foo>&xxe;</foo>`;
    const error = refusal(xxe);
    expect(error.problem).toBe('doctype');
    expect(error.message).not.toContain('root:');
  });

  it('refuses billion laughs at once, without expanding anything', () => {
    const levels = Array.from(
      { length: 9 },
      (_, level) => `<!ENTITY lol${level + 1} "${`&lol${level};`.repeat(10)}">`,
    ).join('\n');
    const bomb = `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol0 "lol">\n${levels}\n]>\n<lolz>&lol9;</lolz>`;
    const started = performance.now();
    expect(refusal(bomb).problem).toBe('doctype');
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('refuses DTD markup that hides after the root element too', () => {
    expect(refusal('<a>\n</a>\n<!ENTITY x "y">').line).toBe(3);
  });

  it('accepts "<!DOCTYPE" inside CDATA, comments and processing instructions: it is text there', () => {
    const doc = parseXml(
      '<?pi <!DOCTYPE x?><!-- <!DOCTYPE html> --><page><![CDATA[<!DOCTYPE html><html/>]]></page>',
    );
    expect(doc).toEqual({ page: '<!DOCTYPE html><html/>' });
  });

  it('refuses a document over the size bound before parsing it, counting UTF-8 bytes', () => {
    expect(refusal(`<a>${'x'.repeat(100)}</a>`, { maxBytes: 100, source: 'the answer' }).message).toBe(
      'the answer: larger than 100 bytes; refused before parsing',
    );
    // 47 characters, 87 bytes: é takes two.
    expect(refusal(`<a>${'é'.repeat(40)}</a>`, { maxBytes: 86 }).problem).toBe('too-large');
    expect(parseXml(`<a>${'é'.repeat(40)}</a>`, { maxBytes: 100 })).toEqual({ a: 'é'.repeat(40) });
  });

  it('has a default bound of 10 MB', () => {
    const big = `<a>${'x'.repeat(10 * 1024 * 1024)}</a>`;
    expect(refusal(big).problem).toBe('too-large');
  });

  it('expands only the five predefined entities and numeric references', () => {
    const doc = parseXml('<a t="&quot;&apos;&#65;">&nbsp;&amp;#65; &#0; &#xD800; &gt;</a>');
    expect(doc).toEqual({ a: { '#text': '&nbsp;&#65; &#0; &#xD800; >', '@t': `"'A` } });
  });

  it('reports malformed XML with line and column', () => {
    const error = refusal('<a>\n  <b>\n</a>', { source: 'x.xml' });
    expect(error.problem).toBe('malformed');
    expect(error.line).toBe(3);
    expect(error.message).toMatch(/^x\.xml:3:\d+: not well-formed XML: /);
  });

  it('refuses an empty text and text that is not XML', () => {
    expect(refusal('').problem).toBe('malformed');
    expect(refusal('Service Unavailable').problem).toBe('malformed');
  });

  it('tolerates a BOM and blank lines before the declaration, and counts them in line numbers', () => {
    expect(parseXml('\uFEFF\n\n<?xml version="1.0"?><a>1</a>')).toEqual({ a: '1' });
    expect(refusal('\n\n<a>\n<b></a>').line).toBe(4);
  });

  it('skips the processing instruction Oracle SOA puts before a JCA WSDL', () => {
    const doc = parseXml('<?binding.jca DB_Query_db.jca?>\n<definitions name="q"/>');
    expect(doc).toEqual({ definitions: { '@name': 'q' } });
  });

  it('refuses nesting deeper than about 100 elements', () => {
    const deep = `${'<a>'.repeat(120)}${'</a>'.repeat(120)}`;
    expect(refusal(deep).message).toBe('cannot be read: Maximum nested tags exceeded');
    expect(() => parseXml(`${'<a>'.repeat(90)}${'</a>'.repeat(90)}`)).not.toThrow();
  });

  it('cannot pollute Object.prototype: __proto__, constructor, prototype refused; toString renamed', () => {
    expect(refusal('<__proto__><polluted>yes</polluted></__proto__>').problem).toBe('malformed');
    expect(
      refusal('<a><constructor><prototype><polluted>1</polluted></prototype></constructor></a>').message,
    ).toBe(
      'cannot be read: [SECURITY] Invalid name: "constructor" is a reserved JavaScript keyword that could cause prototype pollution',
    );
    expect(parseXml('<a><toString>x</toString></a>')).toEqual({ a: { __toString: 'x' } });
    expect(Reflect.get({}, 'polluted')).toBeUndefined();
  });

  it('drops layout whitespace between elements, keeps text of leaves', () => {
    const doc = parseXml('<a>\n  <b> </b>\n  <c x="1">  </c>\n</a>');
    expect(doc).toEqual({ a: { b: ' ', c: { '#text': '  ', '@x': '1' } } });
    expect(textOf(childAt(doc, 'a', 'c'))).toBe('  ');
  });
});
