/**
 * The shape of a parsed XML document and the few ways erpbridge reads it. Elements are plain
 * objects: child elements under their names (an array when repeated), attributes under `@name`,
 * text under `#text` — or the element is just its text when it has neither children nor attributes.
 */

/** A parsed value: an element's text, an element, or the repetitions of an element. */
export type XmlValue = string | XmlElement | XmlValue[];

/** An element (or the document): children by name, `@attribute`s, `#text`. */
export interface XmlElement {
  [name: string]: XmlValue;
}

/** Key prefix of attributes: `<a id="1">` → `{ '@id': '1' }`. */
export const ATTRIBUTE_PREFIX = '@';
/** Key of an element's text when it also has attributes or children. */
export const TEXT_KEY = '#text';

/** True for an element (not text, not a list of repetitions). */
export function isXmlElement(value: XmlValue | undefined): value is XmlElement {
  return typeof value === 'object' && !Array.isArray(value);
}

/** Every occurrence of the child `name` of `node`, in document order; `[]` when it has none. */
export function childrenNamed(node: XmlValue | undefined, name: string): XmlValue[] {
  if (!isXmlElement(node) || !Object.hasOwn(node, name)) return [];
  const value = node[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The first occurrence of the child `name` of `node`, if any. */
export function childNamed(node: XmlValue | undefined, name: string): XmlValue | undefined {
  return childrenNamed(node, name)[0];
}

/** Follows a path of child names, first occurrence at each step: `childAt(doc, 'Envelope', 'Body')`. */
export function childAt(node: XmlValue | undefined, ...path: string[]): XmlValue | undefined {
  let current = node;
  for (const name of path) current = childNamed(current, name);
  return current;
}

/**
 * The text of a value: the text itself, an element's `#text` (`''` for an element without text),
 * or the text of the first repetition. Undefined only for undefined.
 */
export function textOf(value: XmlValue | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return textOf(value[0]);
  const text = value[TEXT_KEY];
  return typeof text === 'string' ? text : '';
}

/** The value of the attribute `name` (as it appears after namespace handling), if present. */
export function attributeOf(node: XmlValue | undefined, name: string): string | undefined {
  if (!isXmlElement(node)) return undefined;
  const value = node[`${ATTRIBUTE_PREFIX}${name}`];
  return typeof value === 'string' ? value : undefined;
}

/** The names of the child elements of `node` (no attributes, no text). */
export function childNames(node: XmlValue | undefined): string[] {
  if (!isXmlElement(node)) return [];
  return Object.keys(node).filter((key) => key !== TEXT_KEY && !key.startsWith(ATTRIBUTE_PREFIX));
}

/** `soap:Envelope` → `Envelope`; a name without prefix is returned as it is. */
export function localName(qualifiedName: string): string {
  const colon = qualifiedName.indexOf(':');
  return colon === -1 ? qualifiedName : qualifiedName.slice(colon + 1);
}
