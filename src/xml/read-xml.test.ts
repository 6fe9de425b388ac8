import { describe, expect, it } from 'vitest';
import { checkXml } from './check-xml.ts';
import { readXml, type XmlEventHandler } from './read-xml.ts';
import { XmlError } from './xml-error.ts';

/** The events of a document, as lines: `<name a=1>`, `</name>`, `"text"`, `[cdata]`. */
function events(text: string, options: Parameters<typeof readXml>[2] = {}): string[] {
  const seen: string[] = [];
  const handler: XmlEventHandler = {
    open: (name, attributes) =>
      seen.push(
        `<${[name, ...Object.entries(attributes ?? {}).map(([key, value]) => `${key}=${value}`)].join(' ')}>`,
      ),
    close: (name) => seen.push(`</${name}>`),
    text: (value) => seen.push(JSON.stringify(value)),
    cdata: (value) => seen.push(`[${value}]`),
  };
  readXml(text, handler, options);
  return seen;
}

function refusal(text: string, options: Parameters<typeof readXml>[2] = {}): XmlError {
  try {
    events(text, options);
  } catch (error) {
    if (error instanceof XmlError) return error;
    throw error;
  }
  throw new Error('expected readXml to refuse the document');
}

const quiet: XmlEventHandler = { open() {}, close() {}, text() {} };

describe('readXml', () => {
  it('reports tags, attributes and text in document order, references decoded', () => {
    const text =
      '<?xml version="1.0" encoding="utf-8"?>\n<!-- an answer -->\n<soap:Envelope xmlns:soap="urn:s">' +
      '<soap:Body><n0:R a="1 &amp; 2" b=\'&quot;x&quot;\'><V>  a &lt; b &#233;&#x41; &nbsp;</V><E/>' +
      '<C><![CDATA[<not> &amp; markup]]></C></n0:R></soap:Body></soap:Envelope>';
    expect(events(text)).toEqual([
      '<soap:Envelope xmlns:soap=urn:s>',
      '<soap:Body>',
      '<n0:R a=1 & 2 b="x">',
      '<V>',
      JSON.stringify('  a < b éA &nbsp;'),
      '</V>',
      '<E>',
      '</E>',
      '<C>',
      '[<not> &amp; markup]',
      '</C>',
      '</n0:R>',
      '</soap:Body>',
      '</soap:Envelope>',
    ]);
  });

  it('refuses a DOCTYPE, an external entity and billion laughs before reading anything', () => {
    const xxe =
      '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<x>&xxe;</x>';
    const error = refusal(xxe, { source: 'the answer' });
    expect(error.problem).toBe('doctype');
    expect(error.message).toBe(
      'the answer:2:1: <!DOCTYPE refused: erpbridge reads no DTD (it could expand entities or fetch files); the document must not declare one',
    );
    const levels = Array.from(
      { length: 9 },
      (_, level) => `<!ENTITY l${level + 1} "${`&l${level};`.repeat(10)}">`,
    );
    const bomb = `<!DOCTYPE z [<!ENTITY l0 "lol">${levels.join('')}]><z>&l9;</z>`;
    let opened = false;
    expect(() => readXml(bomb, { ...quiet, open: () => (opened = true) })).toThrow(/<!DOCTYPE refused/);
    expect(opened).toBe(false);
    // Behind the root element, and in a document that is broken anyway: still a DTD refusal.
    expect(refusal('<a>\n</a>\n<!ENTITY x "y">').line).toBe(3);
    expect(refusal('<a><b></a><!DOCTYPE a>').problem).toBe('doctype');
  });

  it('refuses a document over the size bound before reading it, counting UTF-8 bytes', () => {
    expect(refusal(`<a>${'x'.repeat(100)}</a>`, { maxBytes: 100, source: 'the answer' }).message).toBe(
      'the answer: larger than 100 bytes; refused before parsing',
    );
    expect(refusal(`<a>${'é'.repeat(40)}</a>`, { maxBytes: 86 }).problem).toBe('too-large');
    expect(events(`<a>${'é'.repeat(40)}</a>`, { maxBytes: 100 })).toHaveLength(3);
  });

  it.each([
    ['<a>\n  <b>\n</a>', 3, 'end tag </a> where </b> was expected'],
    ['<a><b></b>', 1, 'unclosed element <a>'],
    ['<a/><b/>', 1, 'a second root element <b>'],
    ['<a/>tail', 1, 'text outside the root element'],
    ['</a>', 1, 'end tag </a> without a start tag'],
    ['<1a/>', 1, '"1a" is not a valid XML name'],
    ['<a b=1/>', 1, 'the value of b in <a> is not quoted'],
    ['<a b="1"c="2"/>', 1, 'no space before an attribute of <a>'],
    ['<a b="1" b="2"/>', 1, 'attribute b twice in <a>'],
    ['<a b="x<y"/>', 1, "'<' in the value of b in <a>"],
    ['<a b/>', 1, 'an attribute without a value in <a>'],
    ['<a>fish & chips</a>', 1, "'&' that starts no reference"],
    ['<a><!-- open', 1, 'unterminated comment'],
    ['<a><![CDATA[open</a>', 1, 'unterminated CDATA section'],
    ['<a>\n<?xml version="1.0"?></a>', 2, 'an XML declaration anywhere but at the start'],
    ['<a', 1, 'unterminated start tag <a'],
    ['', 1, 'no root element: the document is empty or not XML'],
    ['Service Unavailable', 1, 'text outside the root element'],
  ])('refuses %j as malformed, with its line', (text, line, what) => {
    const error = refusal(text, { source: 'x.xml' });
    expect(error.problem).toBe('malformed');
    expect(error.line).toBe(line);
    expect(error.reason).toBe(`not well-formed XML: ${what}`);
  });

  it('refuses nesting deeper than 100 elements', () => {
    const deep = `${'<a>'.repeat(101)}${'</a>'.repeat(101)}`;
    expect(refusal(deep).reason).toBe('not well-formed XML: nested deeper than 100 elements');
    expect(() => readXml(`${'<a>'.repeat(100)}${'</a>'.repeat(100)}`, quiet)).not.toThrow();
  });

  it('tolerates a BOM and blank lines before the document, and counts them in line numbers', () => {
    expect(events('\uFEFF\n\n<?xml version="1.0"?><a>1</a>')).toEqual(['<a>', '"1"', '</a>']);
    expect(refusal('\n\n<a>\n</b>').line).toBe(4);
  });

  it('refuses whatever checkXml refuses, for the same reason', () => {
    const documents = [
      '<a>ok</a>',
      '<a b="1"><c/>text &amp; more<![CDATA[x]]><!-- c --><?pi x?></a>',
      '<!DOCTYPE a><a/>',
      '<a><!ELEMENT a ANY></a>',
      '<a><b></a>',
      '<a></a><b></b>',
      '<a b="1" b="2"/>',
      '<a>&</a>',
      '',
      'plain text',
      '<a:b xmlns:a="urn:a"><a:c/></a:b>',
      '<a>\u00e9\u4e2d</a>',
    ];
    for (const text of documents) {
      const outcome = (read: () => void) => {
        try {
          read();
          return 'read';
        } catch (error) {
          if (error instanceof XmlError) return error.problem;
          throw error;
        }
      };
      expect({ text, problem: outcome(() => readXml(text, quiet)) }).toEqual({
        text,
        problem: outcome(() => checkXml(text)),
      });
    }
  });

  it('passes an error its handler throws through unchanged', () => {
    const stop = new Error('enough');
    expect(() =>
      readXml('<a><b/></a>', {
        ...quiet,
        open: (name) => {
          if (name === 'b') throw stop;
        },
      }),
    ).toThrow(stop);
  });
});
