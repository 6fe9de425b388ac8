import { FormatError } from '../format-error.ts';
import type { Idoc, IdocSegment } from './idoc-model.ts';

/**
 * IDoc XML as SAP's XML file port writes it: `<ORDERS05><IDOC BEGIN="1"><EDI_DC40 SEGMENT="1">…`,
 * segments in the order of the model, every value escaped. Names must be SAP names (upper case,
 * digits, `_`, `/` for namespaced segments is not supported); a character XML cannot carry is an
 * error naming the segment and field.
 */

export interface WriteIdocOptions {
  destination?: string;
  /** Indent per level; default a tab, `''` for none. */
  indent?: string;
  /** Start with `<?xml version="1.0" encoding="UTF-8"?>`; default true. */
  declaration?: boolean;
}

/** The IDoc XML of one or more IDocs of the same basic type (the root element is that type). */
export function formatIdocXml(idocs: readonly Idoc[], options: WriteIdocOptions = {}): string {
  let text = '';
  for (const line of idocXmlLines(idocs, options)) text += line;
  return text;
}

/** The IDoc XML line by line, for writing to a stream. */
export function* idocXmlLines(idocs: readonly Idoc[], options: WriteIdocOptions = {}): Generator<string> {
  const destination = options.destination ?? 'output';
  const indent = options.indent ?? '\t';
  const first = idocs[0];
  if (first === undefined) throw new FormatError('unwritable', 'no IDoc to write', { source: destination });
  const root = checkName(first.idocType, destination, 'IDoc type');
  for (const idoc of idocs) {
    if (idoc.idocType !== first.idocType) {
      throw new FormatError(
        'unwritable',
        `IDocs of types ${first.idocType} and ${idoc.idocType} cannot share one file`,
        {
          source: destination,
        },
      );
    }
  }
  if (options.declaration ?? true) yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield `<${root}>\n`;
  for (const idoc of idocs) {
    yield `${indent}<IDOC BEGIN="1">\n`;
    yield* segmentLines({ name: 'EDI_DC40', fields: idoc.control, children: [] }, indent, 2, destination);
    for (const child of idoc.segments) yield* segmentLines(child, indent, 2, destination);
    yield `${indent}</IDOC>\n`;
  }
  yield `</${root}>\n`;
}

function* segmentLines(
  value: IdocSegment,
  indent: string,
  depth: number,
  destination: string,
): Generator<string> {
  const name = checkName(value.name, destination, 'segment');
  const pad = indent.repeat(depth);
  yield `${pad}<${name} SEGMENT="1">\n`;
  for (const [field, text] of Object.entries(value.fields)) {
    const fieldName = checkName(field, destination, `field of ${name}`);
    yield `${pad}${indent}<${fieldName}>${escapeText(text, `${name}-${field}`, destination)}</${fieldName}>\n`;
  }
  for (const child of value.children) yield* segmentLines(child, indent, depth + 1, destination);
  yield `${pad}</${name}>\n`;
}

function checkName(name: string, destination: string, what: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) {
    throw new FormatError('unwritable', `${JSON.stringify(name)} is not a valid ${what} name for IDoc XML`, {
      source: destination,
    });
  }
  return name;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching characters XML cannot carry is the point
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

const XML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '\r': '&#13;',
};

function escapeText(text: string, field: string, destination: string): string {
  const bad = NOT_XML.exec(text);
  if (bad !== null) {
    const code = bad[0].codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0');
    throw new FormatError('unwritable', `${field}: character U+${code} cannot be written in XML; remove it`, {
      source: destination,
    });
  }
  // A carriage return is written as a reference: a parser would turn a literal one into a line feed.
  return text.replace(/[&<>\r]/g, (character) => XML_ESCAPES[character] ?? character);
}
