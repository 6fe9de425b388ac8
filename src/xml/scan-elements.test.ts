import { describe, expect, it } from 'vitest';
import { type ScannedElement, scanElements } from './scan-elements.ts';
import { XmlError } from './xml-error.ts';

const WSDL = `<?xml version="1.0"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:tns="urn:po"
    xmlns:s12="http://schemas.xmlsoap.org/wsdl/soap12/">
  <!-- <xsd:import schemaLocation="commented-out.xsd"/> -->
  <wsdl:binding name="B" type="tns:PortType">
    <s12:binding transport="http://schemas.xmlsoap.org/soap/http"/>
  </wsdl:binding>
  <types><schema xmlns="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:types">
    <import schemaLocation="a.xsd?x=1&amp;y=2" note='say "hi" > there'/>
    <![CDATA[ <import schemaLocation="in-cdata.xsd"/> ]]>
  </schema></types>
  <after/>
</wsdl:definitions>`;

function scanned(text: string): { element: ScannedElement; parents: string[] }[] {
  const seen: { element: ScannedElement; parents: string[] }[] = [];
  scanElements(text, (element, ancestors) =>
    seen.push({ element, parents: ancestors.map((parent) => parent.localName) }),
  );
  return seen;
}

describe('scanElements', () => {
  it('visits start tags in order with namespaces, decoded attributes, ancestors and lines', () => {
    const seen = scanned(WSDL);
    expect(
      seen.map(({ element, parents }) => `${parents.join('/')}>${element.localName}@${element.line}`),
    ).toEqual([
      '>definitions@2',
      'definitions>binding@5',
      'definitions/binding>binding@6',
      'definitions>types@8',
      'definitions/types>schema@8',
      'definitions/types/schema>import@9',
      'definitions>after@12',
    ]);
    const [, binding, soapBinding, types, , schemaImport] = seen.map((entry) => entry.element);
    expect(binding?.namespace).toBe('http://schemas.xmlsoap.org/wsdl/');
    expect(binding?.resolve(binding.attributes.type ?? '')).toEqual({
      namespace: 'urn:po',
      localName: 'PortType',
    });
    expect(soapBinding?.namespace).toBe('http://schemas.xmlsoap.org/wsdl/soap12/');
    expect(types?.namespace).toBeUndefined();
    expect(schemaImport?.namespace).toBe('http://www.w3.org/2001/XMLSchema');
    expect(schemaImport?.attributes).toEqual({ schemaLocation: 'a.xsd?x=1&y=2', note: 'say "hi" > there' });
    expect(schemaImport?.resolve('tns:x').namespace).toBe('urn:types');
    expect(schemaImport?.column).toBe(5);
  });

  it('runs the checks of parseXml first: a DTD or a broken document is refused with its line', () => {
    expect(() => scanned('<a/>\n<!DOCTYPE a>')).toThrow(XmlError);
    expect(() => scanElements('<a>\n<b></a>', () => {}, { source: 'x.xsd' })).toThrow(
      /^x\.xsd:2:\d+: not well-formed XML/,
    );
    expect(() => scanElements(`<a>${'x'.repeat(200)}</a>`, () => {}, { maxBytes: 100 })).toThrow(
      /larger than 100 bytes/,
    );
  });

  it('refuses nesting deeper than 100 elements', () => {
    expect(() => scanned(`${'<a>'.repeat(101)}${'</a>'.repeat(101)}`)).toThrow(
      'nesting deeper than 100 elements',
    );
  });
});
