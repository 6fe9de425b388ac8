import { describe, expect, it } from 'vitest';
import { RpcBinary, RpcDateTime, RpcDecimal } from './rpc-values.ts';
import {
  decodeXmlRpcCall,
  decodeXmlRpcResponse,
  encodeXmlRpcCall,
  encodeXmlRpcFault,
  encodeXmlRpcResult,
  XmlRpcCodecError,
} from './xml-rpc-codec.ts';

/** An answer exactly as trytond 6.0 (Python's xmlrpc.client) wrote it: a search_read result. */
const TRYTON_ANSWER = `<?xml version='1.0'?>
<methodResponse>
<params>
<param>
<value><array><data>
<value><struct>
<member>
<name>write_date</name>
<value><dateTime.iso8601>20261204T19:57:37</dateTime.iso8601></value>
</member>
<member>
<name>_timestamp</name>
<value><string>1796414257</string></value>
</member>
<member>
<name>reference</name>
<value><nil/></value></member>
<member>
<name>number</name>
<value><string>0003</string></value>
</member>
<member>
<name>total_amount</name>
<value><struct>
<member>
<name>__class__</name>
<value><string>Decimal</string></value>
</member>
<member>
<name>decimal</name>
<value><string>1.00</string></value>
</member>
</struct></value>
</member>
<member>
<name>party.</name>
<value><struct>
<member>
<name>code</name>
<value><string>SUP2</string></value>
</member>
<member>
<name>id</name>
<value><int>3</int></value>
</member>
</struct></value>
</member>
</struct></value>
</data></array></value>
</param>
</params>
</methodResponse>
`;

describe('XML-RPC codec', () => {
  it('reads what Python’s xmlrpc.client writes, keeping text as text', () => {
    expect(decodeXmlRpcResponse(TRYTON_ANSWER)).toEqual({
      kind: 'result',
      value: [
        {
          write_date: new RpcDateTime('2026-12-04T19:57:37'),
          _timestamp: '1796414257',
          reference: null,
          number: '0003',
          total_amount: { __class__: 'Decimal', decimal: '1.00' },
          'party.': { code: 'SUP2', id: 3 },
        },
      ],
    });
  });

  it('reads every XML-RPC type, untyped values as strings', () => {
    const xml = `<methodResponse><params><param><value><array><data>
      <value><int>-7</int></value><value><i4>2147483647</i4></value><value><i8>9007199254740991</i8></value>
      <value><biginteger>123456789012345678901234</biginteger></value>
      <value><double>0.1</double></value><value><boolean>1</boolean></value><value><boolean>0</boolean></value>
      <value>  bare text  </value><value></value><value><string/></value>
      <value><base64>AAEC</base64></value><value><dateTime.iso8601>2026-12-04T19:57:37+02:00</dateTime.iso8601></value>
      <value><string>a &amp; b &lt;c&gt; &#233;&#x1F600; <![CDATA[<raw & kept>]]></string></value>
      <value><struct/></value><value><array><data/></array></value>
    </data></array></value></param></params></methodResponse>`;
    expect(decodeXmlRpcResponse(xml)).toEqual({
      kind: 'result',
      value: [
        -7,
        2147483647,
        9007199254740991,
        '123456789012345678901234',
        0.1,
        true,
        false,
        '  bare text  ',
        '',
        '',
        new RpcBinary(new Uint8Array([0, 1, 2])),
        new RpcDateTime('2026-12-04T17:57:37'),
        'a & b <c> é😀 <raw & kept>',
        {},
        [],
      ],
    });
  });

  it('reads a fault with its code and string', () => {
    const fault = encodeXmlRpcFault(4, 'Records were modified in the meanwhile');
    expect(decodeXmlRpcResponse(fault)).toEqual({
      kind: 'fault',
      code: 4,
      message: 'Records were modified in the meanwhile',
    });
  });

  it('writes calls that read back the same, in the types Python expects', () => {
    const call = encodeXmlRpcCall('model.purchase.purchase.write', [
      [12, 3_000_000_000],
      {
        reference: 'urgent & <now>',
        comment: null,
        ok: true,
        rate: 0.1,
        when: new RpcDateTime('2026-12-04T19:57:37.5'),
      },
    ]);
    expect(call).toContain('<value><int>12</int></value><value><i8>3000000000</i8></value>');
    expect(call).toContain('<string>urgent &amp; &lt;now&gt;</string>');
    expect(call).toContain('<dateTime.iso8601>20261204T19:57:37</dateTime.iso8601>');
    expect(call).toContain('<value><nil/></value>');
    const decoded = decodeXmlRpcCall(call);
    expect(decoded.method).toBe('model.purchase.purchase.write');
    expect(decoded.params[1]).toEqual({
      reference: 'urgent & <now>',
      comment: null,
      ok: true,
      rate: 0.1,
      when: new RpcDateTime('2026-12-04T19:57:37'),
    });
    const hostile = decodeXmlRpcResponse(
      '<methodResponse><params><param><value><struct><member><name>__proto__</name><value><struct><member><name>polluted</name><value>yes</value></member></struct></value></member></struct></value></param></params></methodResponse>',
    );
    if (hostile.kind !== 'result') throw new Error('expected a result');
    expect(Object.getPrototypeOf(hostile.value)).toBe(Object.prototype);
    expect(Object.hasOwn(Object(hostile.value), '__proto__')).toBe(true);
    expect(Reflect.get(Object(hostile.value), 'polluted')).toBeUndefined();
    expect(decodeXmlRpcResponse(encodeXmlRpcResult('line\r\nbreak'))).toEqual({
      kind: 'result',
      value: 'line\r\nbreak',
    });
  });

  it('refuses values XML-RPC has no type for until the dialect converts them', () => {
    expect(() => encodeXmlRpcCall('m', [{ price: new RpcDecimal('0.10') }])).toThrow(
      new XmlRpcCodecError(
        'params[0].price: RpcDecimal has no XML-RPC type; the dialect must convert it before encoding',
      ),
    );
    expect(() => encodeXmlRpcCall('m', [Number.NaN])).toThrow(/params\[0\]: NaN cannot be sent over XML-RPC/);
    expect(() => encodeXmlRpcCall('m', ['bell\u0007'])).toThrow(/character U\+0007 cannot be sent in XML/);
    expect(() => encodeXmlRpcCall('m"><x', [])).toThrow(/is not an XML-RPC method name/);
  });

  it('refuses a DTD before parsing, and any entity but XML’s five', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><methodResponse><params><param><value>&lol;</value></param></params></methodResponse>`;
    expect(() => decodeXmlRpcResponse(bomb)).toThrow(/<!DOCTYPE refused: XML-RPC needs no DTD/);
    const external = `<methodResponse><params><param><value><string>&xxe;</string></value></param></params></methodResponse>`;
    expect(() => decodeXmlRpcResponse(external)).toThrow(/entity &xxe; is not one of XML's five/);
    const commented = `<!-- <!DOCTYPE only a comment> --><methodResponse><params><param><value>ok</value></param></params></methodResponse>`;
    expect(decodeXmlRpcResponse(commented)).toEqual({ kind: 'result', value: 'ok' });
  });

  it('names what is wrong with an answer that is not XML-RPC', () => {
    expect(() => decodeXmlRpcResponse('<html><body>502 Bad Gateway</body></html>')).toThrow(
      'expected <methodResponse>, found <html>',
    );
    expect(() => decodeXmlRpcResponse('<methodResponse><params>')).toThrow(/not well-formed XML at line 1/);
    expect(() =>
      decodeXmlRpcResponse(
        '<methodResponse><params><param><value><int>1.5</int></value></param></params></methodResponse>',
      ),
    ).toThrow('result: "1.5" is not an integer');
    expect(() =>
      decodeXmlRpcResponse(
        '<methodResponse><params><param><value><float>1</float></value></param></params></methodResponse>',
      ),
    ).toThrow('result: unknown XML-RPC type <float>');
    expect(() =>
      decodeXmlRpcResponse(
        '<methodResponse><params><param><value>a<string>b</string></value></param></params></methodResponse>',
      ),
    ).toThrow('result: text mixed with elements');
  });
});
