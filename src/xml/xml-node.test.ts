import { describe, expect, it } from 'vitest';
import { parseXml } from './parse-xml.ts';
import {
  attributeOf,
  childAt,
  childNamed,
  childNames,
  childrenNamed,
  localName,
  textOf,
} from './xml-node.ts';

describe('xml-node helpers', () => {
  const doc = parseXml('<a x="1"><b>one</b><b>two</b><c>t<d/></c></a>');

  it('reads children, repetitions, text, attributes and names', () => {
    const a = childNamed(doc, 'a');
    expect(childrenNamed(a, 'b')).toEqual(['one', 'two']);
    expect(textOf(childrenNamed(a, 'b'))).toBe('one');
    expect(textOf(childNamed(a, 'c'))).toBe('t');
    expect(textOf(childAt(doc, 'a', 'c', 'd'))).toBe('');
    expect(attributeOf(a, 'x')).toBe('1');
    expect(childNames(a)).toEqual(['b', 'c']);
    expect(childrenNamed(a, 'missing')).toEqual([]);
    expect(childAt(doc, 'a', 'missing', 'deeper')).toBeUndefined();
    expect(localName('soap:Envelope')).toBe('Envelope');
    expect(localName('Envelope')).toBe('Envelope');
  });

  it('does not mistake inherited properties for children', () => {
    expect(childNamed(doc, 'toString')).toBeUndefined();
  });
});
