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

/** A character to escape, or one XML cannot carry (see {@link isAllowedInXml}). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the controls XML 1.0 cannot carry are what it finds.
const NEEDS_ESCAPING = /[&<>"'\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** Whether `text` has a character to escape or one XML cannot carry: one regular-expression scan. */
function needsEscaping(text: string): boolean {
  return NEEDS_ESCAPING.test(text);
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

/**
 * Several pieces of markup as one. Joined into one flat string: an answer's thousands of rows
 * concatenated one by one would be a tree of pieces that sending it must walk and copy again.
 */
export function fragment(parts: readonly Markup[]): Markup {
  if (parts.length === 1 && parts[0] !== undefined) return parts[0];
  return { xml: parts.map((part) => part.xml).join('') };
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

/**
 * A writer of many rows of the same text-only fields — `<item><A>1</A><B/></item>…`, the shape of
 * SAP's table parameters. The tags are made once, so writing a row is escaping its values between
 * them: the SOAP answers write hundreds of thousands of fields, where building each tag again
 * costs more than the data. `value(row, index)` gives the text of the field `names[index]`; `''`
 * is written as an empty element.
 */
export function leafRows<Row>(
  rowElement: string,
  names: readonly string[],
  value: (row: Row, index: number) => string,
): (rows: Iterable<Row>) => Markup {
  const opens = names.map((name) => `<${name}>`);
  const closes = names.map((name) => `</${name}>`);
  const empties = names.map((name) => `<${name}/>`);
  const rowOpen = `<${rowElement}>`;
  const rowClose = `</${rowElement}>`;
  return (rows) => {
    // Rows joined into one flat string at the end (see `fragment`).
    const lines: string[] = [];
    for (const row of rows) {
      let line = rowOpen;
      for (let index = 0; index < names.length; index++) {
        const text = value(row, index);
        line += text === '' ? empties[index] : `${opens[index]}${escapeXml(text)}${closes[index]}`;
      }
      lines.push(`${line}${rowClose}`);
    }
    return { xml: lines.join('') };
  };
}
