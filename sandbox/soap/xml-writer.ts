/**
 * Writing XML by hand, safely: text is always escaped, and markup is a distinct type, so a value
 * from the database can never be mistaken for markup. The SOAP answers here are small, fixed
 * shapes; building them as strings keeps each personality's envelope visible in its own code.
 */

/** Markup that is already well-formed XML. Only this module's functions create it. */
export interface Markup {
  readonly xml: string;
}

/** What an element may contain: text (escaped), markup, a list of markup, or nothing (`<a/>`). */
export type XmlContent = string | number | Markup | readonly Markup[] | null;

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/**
 * Escapes text for character data and attribute values. Characters XML 1.0 cannot carry at all
 * (controls other than tab, newline and carriage return) are dropped, so an answer is always
 * well-formed.
 */
export function escapeXml(text: string): string {
  // Most values need nothing: one pass over them instead of a copy.
  if (!needsEscaping(text)) return text;
  return withoutForbiddenCharacters(text).replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

/** Whether `text` has a character to escape or one XML cannot carry (see {@link isAllowedInXml}). */
function needsEscaping(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0x26 || code === 0x3c || code === 0x3e || code === 0x22 || code === 0x27) return true;
    if (!isAllowedInXml(code)) return true;
  }
  return false;
}

function isAllowedInXml(code: number): boolean {
  return (
    code === 0x09 || code === 0x0a || code === 0x0d || (code >= 0x20 && code !== 0xfffe && code !== 0xffff)
  );
}

function withoutForbiddenCharacters(text: string): string {
  for (let index = 0; index < text.length; index++) {
    if (!isAllowedInXml(text.charCodeAt(index))) {
      return [...text].filter((character) => isAllowedInXml(character.charCodeAt(0))).join('');
    }
  }
  return text;
}

function contentXml(content: XmlContent): string {
  if (content === null) return '';
  if (typeof content === 'string') return escapeXml(content);
  if (typeof content === 'number') return String(content);
  if (Array.isArray(content)) return fragment(content).xml;
  return 'xml' in content ? content.xml : '';
}

/**
 * `element('PO_NUMBER', '0045000123')` → `<PO_NUMBER>0045000123</PO_NUMBER>`; `null` content
 * gives an empty element. Attributes with an undefined value are left out.
 */
export function element(
  name: string,
  content: XmlContent = null,
  attributes: Readonly<Record<string, string | undefined>> = {},
): Markup {
  let attributeXml = '';
  for (const key in attributes) {
    const value = attributes[key];
    if (value !== undefined) attributeXml += ` ${key}="${escapeXml(value)}"`;
  }
  const inner = contentXml(content);
  return { xml: inner === '' ? `<${name}${attributeXml}/>` : `<${name}${attributeXml}>${inner}</${name}>` };
}

/** Several pieces of markup as one. */
export function fragment(parts: readonly Markup[]): Markup {
  let xml = '';
  for (const part of parts) xml += part.xml;
  return { xml };
}

/**
 * Text-only elements in a row, `[name, value]` each: `<a>1</a><b>x</b>`. A null value is left out
 * when `nulls` is `omit` (the default) and written empty when `empty`. One string for the whole
 * row: the SOAP answers write hundreds of thousands of these.
 */
export function leafElements(
  entries: Iterable<readonly [string, string | null | undefined]>,
  nulls: 'omit' | 'empty' = 'omit',
): Markup {
  let xml = '';
  for (const [name, value] of entries) {
    if (value === null || value === undefined || value === '') {
      if (nulls === 'empty' || value === '') xml += `<${name}/>`;
      continue;
    }
    xml += `<${name}>${escapeXml(value)}</${name}>`;
  }
  return { xml };
}
