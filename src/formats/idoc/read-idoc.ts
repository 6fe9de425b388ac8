import { ATTRIBUTE_PREFIX, TEXT_KEY, type XmlValue } from '../../xml/index.ts';
import type { ByteInput } from '../byte-source.ts';
import { FormatError } from '../format-error.ts';
import { openXml, type ReadXmlOptions } from '../xml/read-xml.ts';
import type { Idoc, IdocSegment } from './idoc-model.ts';

/**
 * Reading SAP IDoc XML (ORDERS05, INVOIC02, any basic type): the file's `<IDOC>` elements one at a
 * time through the streaming XML reader, each turned into the control record and the segment tree.
 * UTF-16 files (with a BOM, as SAP's XML ports and WE60 schemas may write them) are read like
 * UTF-8 ones. Within one parent, segments come grouped by type in the order each type first
 * appears — the order the IDoc's definition prescribes, which is how SAP writes them.
 */

export type ReadIdocOptions = Omit<ReadXmlOptions, 'recordElement' | 'arrays'>;

/**
 * The IDocs of an IDoc XML file or stream, one at a time.
 *
 * @throws FormatError as the XML reader does, and `malformed` for an IDOC without EDI_DC40 or with
 *   a field that repeats, naming the line of its IDOC.
 */
export async function* readIdocs(input: ByteInput, options: ReadIdocOptions = {}): AsyncGenerator<Idoc> {
  const reader = await openXml(input, { ...options, recordElement: 'IDOC' });
  let count = 0;
  for await (const record of reader.records()) {
    count++;
    yield toIdoc(record.value, reader.root()?.name ?? '', reader.source, record.line);
  }
  if (count === 0) {
    throw new FormatError(
      'malformed',
      `no <IDOC> element under <${reader.root()?.name ?? '?'}>: this is not IDoc XML`,
      {
        source: reader.source,
      },
    );
  }
}

function toIdoc(value: XmlValue, rootName: string, source: string, line: number): Idoc {
  const where = { source, line, tag: 'IDOC' };
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new FormatError('malformed', 'an empty <IDOC>: it needs EDI_DC40 and segments', where);
  }
  let control: Record<string, string> | undefined;
  const segments: IdocSegment[] = [];
  for (const [name, child] of Object.entries(value)) {
    if (name.startsWith(ATTRIBUTE_PREFIX) || name === TEXT_KEY) continue;
    if (name === 'EDI_DC40') {
      const occurrences = Array.isArray(child) ? child : [child];
      if (occurrences.length !== 1)
        throw new FormatError('malformed', 'more than one EDI_DC40 control record in one IDOC', where);
      control = toSegment('EDI_DC40', occurrences[0] ?? '', where).fields;
      continue;
    }
    segments.push(...toSegments(name, child, where));
  }
  if (control === undefined) {
    throw new FormatError('malformed', 'an IDOC without EDI_DC40 control record: SAP cannot route it', where);
  }
  return {
    idocType: control.IDOCTYP || rootName,
    messageType: control.MESTYP ?? '',
    control,
    segments,
    line,
  };
}

function toSegments(name: string, value: XmlValue, where: { source: string; line: number }): IdocSegment[] {
  const occurrences = Array.isArray(value) ? value : [value];
  return occurrences.map((occurrence) => toSegment(name, occurrence, where));
}

function toSegment(name: string, value: XmlValue, where: { source: string; line: number }): IdocSegment {
  const fields: Record<string, string> = {};
  const children: IdocSegment[] = [];
  if (typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) {
      if (key.startsWith(ATTRIBUTE_PREFIX) || key === TEXT_KEY) continue;
      if (typeof child === 'string') {
        fields[key] = child;
      } else if (Array.isArray(child) && child.every((item) => typeof item === 'string')) {
        throw new FormatError(
          'malformed',
          `field ${key} repeats in segment ${name}: an IDoc field occurs once`,
          { ...where, tag: name },
        );
      } else {
        children.push(...toSegments(key, child, where));
      }
    }
  }
  return { name, fields, children };
}
