import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { buildXml, type XmlBuildElement, XmlError } from '../../xml/index.ts';
import { FormatError } from '../format-error.ts';

/**
 * Writing record-oriented XML — a root element around a long run of records — record by record,
 * so an export never needs to be built in memory. Each record goes through src/xml's `buildXml`
 * (escaping, names and characters checked); a record it refuses is an error naming its number.
 */

export interface WriteXmlRecordsOptions {
  destination?: string;
  /** Attributes of the root element (`xmlns` declarations, a version). */
  rootAttributes?: Readonly<Record<string, string>>;
  /** Indent records by this many spaces; default 2, 0 for none. */
  indent?: number;
}

/**
 * Writes `<root>` then every record as `<recordName>…</recordName>` then `</root>`.
 *
 * @returns the number of records written.
 * @example await writeXmlRecords('Orders', 'Order', orders, 'export.xml')
 */
export async function writeXmlRecords(
  rootName: string,
  recordName: string,
  records: AsyncIterable<XmlBuildElement> | Iterable<XmlBuildElement>,
  target: string | Writable,
  options: WriteXmlRecordsOptions = {},
): Promise<number> {
  const destination = options.destination ?? (typeof target === 'string' ? target : 'output');
  const indent = options.indent ?? 2;
  const attributes = Object.fromEntries(
    Object.entries(options.rootAttributes ?? {}).map(([name, value]) => [`@${name}`, value]),
  );
  // The root's start tag, checked and escaped by buildXml: an empty root rendered, then opened.
  const emptyRoot = render({ [rootName]: { ...attributes } }, destination, 0);
  const startTag = emptyRoot.endsWith('/>')
    ? `${emptyRoot.slice(0, -2)}>`
    : emptyRoot.replace(new RegExp(`</${rootName}>$`), '');
  const sink = typeof target === 'string' ? createWriteStream(target) : target;
  const write = async (text: string): Promise<void> => {
    if (!sink.write(text)) await once(sink, 'drain');
  };
  let count = 0;
  try {
    await write(`<?xml version="1.0" encoding="UTF-8"?>\n${startTag}\n`);
    for await (const record of records) {
      count++;
      const xml = render({ [recordName]: record }, destination, count);
      await write(`${' '.repeat(indent)}${xml}\n`);
    }
    await write(`</${rootName}>\n`);
  } finally {
    if (typeof target === 'string') {
      sink.end();
      await once(sink, 'close');
    }
  }
  return count;
}

function render(element: XmlBuildElement, destination: string, record: number): string {
  try {
    return buildXml(element, { declaration: false });
  } catch (error) {
    if (error instanceof XmlError) {
      throw new FormatError(
        'unwritable',
        `${record === 0 ? 'root' : `record ${record}`}: ${error.message}`,
        { source: destination },
        error,
      );
    }
    throw error;
  }
}
