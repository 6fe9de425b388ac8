import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../sandbox/index.ts';
import { startTestSandbox } from '../../../sandbox/test-support.ts';
import { connectSoap, type SoapClient, SoapConnectionConfig } from '../../connectors/soap/index.ts';
import { MAX_XML_DEPTH, XmlError } from '../../xml/index.ts';
import { headerTextArguments } from './header-texts.ts';
import { RFC_NAMESPACE, RfcAnswerError, type RfcAnswerOptions, readRfcAnswer } from './rfc-answer.ts';
import { scanRfcAnswer } from './rfc-answer-scan.ts';
import { rfcParameter, rfcStructure, rfcTable } from './rfc-values.ts';
import { scheduleLineArguments } from './schedule-lines.ts';

/**
 * The RFC-SOAP reader on the sandbox's real answers, and on broken ones: its scan of SAP's layout
 * and its `readXml` path give the same values, what the profile's readers take from node-soap's
 * results; everything `readXml` refuses is refused (DTDs, entities, oversized, malformed).
 */

const SOAP = 'http://schemas.xmlsoap.org/soap/envelope/';
const GETITEMS_FIELDS = {
  PO_HEADERS: ['PO_NUMBER', 'VENDOR', 'LANGUAGE'],
  PO_ITEMS: ['PO_NUMBER', 'PO_ITEM', 'QUANTITY'],
};

/** What the scan makes of `text`: its values, or undefined where it leaves the answer to readXml. */
function scan(text: string, functionModule: string, fields?: RfcAnswerOptions['fields']) {
  const kept =
    fields === undefined
      ? undefined
      : new Map(Object.entries(fields).map(([name, list]) => [name, new Set(list)] as const));
  return scanRfcAnswer(text, functionModule, { rfc: RFC_NAMESPACE, envelopes: new Set([SOAP]), kept });
}

/** What readXml's path makes of `text`: its values, or the error it throws. */
function events(text: string, functionModule: string, fields?: RfcAnswerOptions['fields']) {
  try {
    return { value: readRfcAnswer(text, functionModule, { fastPath: false, ...(fields ? { fields } : {}) }) };
  } catch (error) {
    return { error };
  }
}

function envelope(body: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><soap-env:Envelope xmlns:soap-env="${SOAP}"><soap-env:Header/><soap-env:Body>${body}</soap-env:Body></soap-env:Envelope>`;
}

function response(functionModule: string, parameters: string): string {
  return envelope(
    `<n0:${functionModule}Response xmlns:n0="${RFC_NAMESPACE}">${parameters}</n0:${functionModule}Response>`,
  );
}

/** A small deterministic generator (mulberry32), so a failing mutation can be found again. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

describe('readRfcAnswer on the sandbox’s answers', () => {
  let sandbox: Sandbox;
  let stop: () => Promise<void>;
  let client: SoapClient;
  /** Each answer as sent, with node-soap's reading of it. */
  const answers: { fn: string; text: string; nodeSoap: unknown }[] = [];

  beforeAll(async () => {
    ({ sandbox, stop } = await startTestSandbox({ personality: 'sap-ecc', orders: 60, history: 30 }));
    client = await connectSoap(
      SoapConnectionConfig.parse({
        wsdl: `${sandbox.url}/sap/bc/soap/wsdl11?sap-client=100`,
        endpoint: `${sandbox.url}/sap/bc/soap/rfc?sap-client=100`,
      }),
      { name: 'sap' },
    );
    const keep = async (fn: string, args: Record<string, unknown>) => {
      const { result, rawResponse } = await client.call(fn, args);
      answers.push({ fn, text: rawResponse, nodeSoap: result });
      return rawResponse;
    };
    const page = await keep('BAPI_PO_GETITEMS', { WITH_PO_HEADERS: 'X', MAX_ROWS: 40 });
    const numbers = [...page.matchAll(/<PO_NUMBER>(\d{10})<\/PO_NUMBER>/g)].map((match) => match[1] ?? '');
    const first = numbers[0] ?? '';
    await keep('BAPI_PO_GETDETAIL1', { PURCHASEORDER: first, HEADER_TEXT: 'X' });
    await keep('BAPI_PO_GETDETAIL1', { PURCHASEORDER: '0099999999' });
    await keep('RFC_READ_TABLE', scheduleLineArguments(first, numbers.at(-1) ?? first));
    await keep('RFC_READ_TABLE', { QUERY_TABLE: 'ZERPBR_VENDOR', ROWCOUNT: 5 });
    await keep(
      'RFC_READ_TEXT',
      headerTextArguments(numbers.map((poNumber) => ({ poNumber, language: 'E' }))),
    );
    await keep('BAPI_TRANSACTION_COMMIT', { WAIT: 'X' });
  });
  afterAll(async () => {
    await client?.close();
    await stop?.();
  });

  it('scans SAP’s layout to exactly what readXml’s path reads', () => {
    expect(answers.map((answer) => answer.fn)).toEqual([
      'BAPI_PO_GETITEMS',
      'BAPI_PO_GETDETAIL1',
      'BAPI_PO_GETDETAIL1',
      'RFC_READ_TABLE',
      'RFC_READ_TABLE',
      'RFC_READ_TEXT',
      'BAPI_TRANSACTION_COMMIT',
    ]);
    for (const { fn, text } of answers) {
      const scanned = scan(text, fn);
      expect(scanned, fn).toBeDefined();
      expect(scanned).toEqual(events(text, fn).value);
    }
  });

  it('gives the profile’s readers the rows node-soap gives them', () => {
    for (const { fn, text, nodeSoap } of answers) {
      const read = readRfcAnswer(text, fn);
      expect(Object.keys(read).sort(), fn).toEqual(Object.keys(nodeSoap as object).sort());
      for (const parameter of Object.keys(read)) {
        const ours = rfcParameter(read, parameter);
        const theirs = rfcParameter(nodeSoap, parameter);
        // A table's rows, or a structure's fields, as the profile reads them.
        expect(rfcTable(ours), `${fn} ${parameter}`).toEqual(rfcTable(theirs));
        if (!Array.isArray(ours)) expect(rfcStructure(ours)).toEqual(rfcStructure(theirs));
      }
    }
    const [listing] = answers;
    const rows = rfcTable(rfcParameter(readRfcAnswer(listing?.text ?? '', 'BAPI_PO_GETITEMS'), 'PO_HEADERS'));
    expect(rows).toHaveLength(40);
    expect(rows[0]?.PO_NUMBER).toMatch(/^\d{10}$/);
  });

  it('keeps only the fields asked for, both ways', () => {
    const [listing] = answers;
    const text = listing?.text ?? '';
    const read = readRfcAnswer(text, 'BAPI_PO_GETITEMS', { fields: GETITEMS_FIELDS });
    expect(read).toEqual(events(text, 'BAPI_PO_GETITEMS', GETITEMS_FIELDS).value);
    const headers = rfcTable(read.PO_HEADERS);
    expect(Object.keys(headers[0] ?? {})).toEqual(['PO_NUMBER', 'VENDOR', 'LANGUAGE']);
    expect(Object.keys(rfcTable(read.PO_ITEMS)[0] ?? {})).toEqual(['PO_NUMBER', 'PO_ITEM', 'QUANTITY']);
    // Parameters not named are whole.
    expect(read.RETURN).toBe('');
  });

  it('reads the same answer laid out otherwise (indented, a comment, CDATA, references)', () => {
    const [listing] = answers;
    const text = listing?.text ?? '';
    const expected = readRfcAnswer(text, 'BAPI_PO_GETITEMS');
    // Layout between elements is read by the scan too.
    const indented = text
      .replaceAll('<item>', '\n    <item>')
      .replaceAll('</PO_HEADERS>', '\n  </PO_HEADERS>');
    expect(scan(indented, 'BAPI_PO_GETITEMS')).toEqual(expected);
    // A comment or CDATA is left to readXml, which reads them to the same values.
    const commented = text.replace('<PO_HEADERS>', '<PO_HEADERS><!-- page 1 -->');
    expect(scan(commented, 'BAPI_PO_GETITEMS')).toBeUndefined();
    expect(readRfcAnswer(commented, 'BAPI_PO_GETITEMS')).toEqual(expected);
    const vendor = /<VENDOR>(\d+)<\/VENDOR>/.exec(text)?.[1] ?? '';
    const cdata = text.replace(`<VENDOR>${vendor}</VENDOR>`, `<VENDOR><![CDATA[${vendor}]]></VENDOR>`);
    expect(scan(cdata, 'BAPI_PO_GETITEMS')).toBeUndefined();
    expect(readRfcAnswer(cdata, 'BAPI_PO_GETITEMS')).toEqual(expected);
    const encoded = text.replace(
      `<VENDOR>${vendor}</VENDOR>`,
      `<VENDOR>${vendor.replace(/^0/, '&#48;')}</VENDOR>`,
    );
    expect(scan(encoded, 'BAPI_PO_GETITEMS')).toEqual(expected);
  });

  it('never scans to a value that readXml’s path would not read the same (random damage to real answers)', () => {
    const next = random(20261105);
    const damage = ['<', '>', '&', '/', '"', ' ', 'x', ':', '&amp;', '</item>', '<item>', '&#0;', '\u0000'];
    let scanned = 0;
    let refused = 0;
    for (const { fn, text } of answers) {
      for (let trial = 0; trial < 300; trial++) {
        const at = Math.floor(next() * text.length);
        const cut = Math.floor(next() * 3);
        const insert = damage[Math.floor(next() * damage.length)] ?? '';
        const broken = `${text.slice(0, at)}${trial % 5 === 0 ? '' : insert}${text.slice(at + cut)}`;
        const fast = scan(broken, fn);
        const slow = events(broken, fn);
        if (fast !== undefined) {
          scanned += 1;
          expect(slow.value, `${fn} damaged at ${at}`).toEqual(fast);
        }
        if (slow.error !== undefined) {
          refused += 1;
          expect(
            fast,
            `${fn} damaged at ${at}: readXml refuses it, the scan must not read it`,
          ).toBeUndefined();
          expect(() => readRfcAnswer(broken, fn)).toThrow(
            slow.error instanceof XmlError ? XmlError : RfcAnswerError,
          );
        }
      }
    }
    // Both outcomes happened: the trials were not all harmless, nor all fatal.
    expect(scanned).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });
});

describe('readRfcAnswer refuses', () => {
  const fn = 'BAPI_PO_GETITEMS';
  const listing = response(
    fn,
    '<PO_HEADERS><item><PO_NUMBER>0045000001</PO_NUMBER><VEND_NAME>Müller &amp; Söhne</VEND_NAME></item></PO_HEADERS><RETURN/>',
  );

  it('reads a small answer, references decoded', () => {
    expect(readRfcAnswer(listing, fn)).toEqual({
      PO_HEADERS: [{ PO_NUMBER: '0045000001', VEND_NAME: 'Müller & Söhne' }],
      RETURN: '',
    });
  });

  it('a DTD, with or without external entities, before anything is read', () => {
    const external = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${listing.slice(listing.indexOf('?>') + 2).replace('0045000001', '&xxe;')}`;
    expect(() => readRfcAnswer(external, fn)).toThrow(/<!DOCTYPE refused/);
    const laughs = `<!DOCTYPE l [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>${listing.replace('0045000001', '&b;')}`;
    try {
      readRfcAnswer(laughs, fn);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(XmlError);
      expect((error as XmlError).problem).toBe('doctype');
    }
  });

  it('expands no entity but the predefined ones: an undeclared reference stays as written', () => {
    const answer = listing.replace('0045000001', '&xxe;');
    expect(rfcTable(readRfcAnswer(answer, fn).PO_HEADERS)[0]?.PO_NUMBER).toBe('&xxe;');
    expect(() => readRfcAnswer(listing.replace('&amp;', '& '), fn)).toThrow(/'&' that starts no reference/);
  });

  it('an oversized answer before reading it', () => {
    expect(() => readRfcAnswer(listing, fn, { maxBytes: 100 })).toThrow(
      /larger than 100 bytes; refused before parsing/,
    );
  });

  it('malformed XML with its line and column', () => {
    const broken = listing.replace('</PO_NUMBER>', '</PO_NUMBR>');
    expect(() => readRfcAnswer(broken, fn)).toThrow(
      /^the answer of BAPI_PO_GETITEMS:1:\d+: not well-formed XML: end tag <\/PO_NUMBR> where <\/PO_NUMBER> was expected/,
    );
    expect(() => readRfcAnswer(listing.slice(0, -20), fn)).toThrow(XmlError);
  });

  it('nesting beyond the bound', () => {
    const deep = response(fn, `${'<A>'.repeat(MAX_XML_DEPTH)}x${'</A>'.repeat(MAX_XML_DEPTH)}`);
    expect(() => readRfcAnswer(deep, fn)).toThrow(/nested deeper than 100 elements/);
  });

  it('a fault, another function’s answer, or what is no RFC answer', () => {
    const fault = envelope(
      '<soap-env:Fault><faultcode>soap-env:Server</faultcode><faultstring>TABLE_NOT_AVAILABLE</faultstring></soap-env:Fault>',
    );
    expect(() => readRfcAnswer(fault, fn)).toThrow(new RfcAnswerError('the answer is a SOAP fault'));
    expect(() => readRfcAnswer(response('RFC_READ_TEXT', '<TEXT_LINES/>'), fn)).toThrow(
      /the answer's Body holds <n0:RFC_READ_TEXTResponse>, not BAPI_PO_GETITEMSResponse/,
    );
    expect(() => readRfcAnswer('<html><body>logon</body></html>', fn)).toThrow(/not a SOAP envelope/);
    expect(() => readRfcAnswer(response(fn, '<RETURN><TYPE>E</TYPE><TYPE>A</TYPE></RETURN>'), fn)).toThrow(
      '<RETURN> has <TYPE> twice',
    );
    expect(() => readRfcAnswer(response(fn, '<PO_HEADERS><item/><VENDOR/></PO_HEADERS>'), fn)).toThrow(
      '<PO_HEADERS> mixes table rows and <VENDOR>',
    );
    expect(() => readRfcAnswer(response(fn, '<RETURN>text<TYPE>E</TYPE></RETURN>'), fn)).toThrow(
      '<RETURN> mixes text and elements',
    );
  });

  it('a field named __proto__, which would change the row’s prototype', () => {
    const answer = response(
      fn,
      '<PO_HEADERS><item><__proto__><polluted>yes</polluted></__proto__></item></PO_HEADERS>',
    );
    expect(() => readRfcAnswer(answer, fn)).toThrow(/has a field <__proto__>/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
