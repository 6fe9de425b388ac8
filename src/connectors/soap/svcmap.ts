import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { ConfigError } from '../../errors/index.ts';
import {
  attributeOf,
  childAt,
  childNamed,
  childrenNamed,
  parseXml,
  positionAt,
  XmlError,
} from '../../xml/index.ts';
import { type ImportMap, normaliseLocation } from './import-map.ts';

/**
 * Reading a Visual Studio service reference map (`Reference.svcmap`). When Visual Studio downloads
 * a WCF service's metadata (a Dynamics AX 2012 AIF service, say), it saves every WSDL and XSD beside
 * the svcmap and records, for each, the URL it came from:
 *
 *   <MetadataFile FileName="xppservice14.xsd" MetadataType="Schema" SourceUrl="http://ax:82/…/xppservice.svc?xsd=xsd2" />
 *
 * The files still import each other by those URLs; this map sends each URL to its local file.
 */

/** One MetadataFile entry. */
export interface SvcmapEntry {
  /** The location the file was downloaded from, as written. */
  sourceUrl: string;
  /** The local file: absolute, in the svcmap's folder. */
  file: string;
  /** `Wsdl`, `Schema`, `Disco`… */
  metadataType: string;
}

/**
 * The entries of a svcmap's text. Pure.
 *
 * @param path the svcmap's path: files resolve against its folder, and messages name it.
 * @throws ConfigError naming the svcmap (and the line) when it is not a service map, or when an entry
 *   lacks FileName or SourceUrl, names a file outside its folder, or a SourceUrl that is no http(s) URL.
 */
export function svcmapEntries(text: string, path: string, maxBytes?: number): SvcmapEntry[] {
  let document: ReturnType<typeof parseXml>;
  try {
    document = parseXml(text, { source: path, ...(maxBytes === undefined ? {} : { maxBytes }) });
  } catch (error) {
    if (error instanceof XmlError) throw new ConfigError(error.message, { file: path, line: error.line });
    throw error;
  }
  const group = childNamed(document, 'ReferenceGroup');
  if (group === undefined) {
    throw new ConfigError(
      'not a Visual Studio service map: its root element is not ReferenceGroup; svcmap must name a Reference.svcmap',
      { file: path },
    );
  }
  const folder = dirname(path);
  return childrenNamed(childAt(group, 'Metadata'), 'MetadataFile').map((entry) => {
    const fileName = attributeOf(entry, 'FileName');
    const sourceUrl = attributeOf(entry, 'SourceUrl');
    const line = lineOf(text, sourceUrl ?? fileName ?? 'MetadataFile');
    if (fileName === undefined || sourceUrl === undefined) {
      throw new ConfigError('a MetadataFile entry lacks FileName or SourceUrl', { file: path, line });
    }
    if (fileName !== basename(fileName) || fileName === '..' || fileName === '.' || fileName.includes('\\')) {
      throw new ConfigError(
        `MetadataFile FileName "${fileName}" is not a plain file name; a service map's files sit in its own folder`,
        { file: path, line },
      );
    }
    if (!/^https?:\/\//i.test(sourceUrl) || !URL.canParse(sourceUrl)) {
      throw new ConfigError(`MetadataFile SourceUrl "${sourceUrl}" is not an http(s) URL`, {
        file: path,
        line,
      });
    }
    return {
      sourceUrl,
      file: resolve(folder, fileName),
      metadataType: attributeOf(entry, 'MetadataType') ?? '',
    };
  });
}

/**
 * Reads a svcmap and returns its SourceUrl → file map (normalised URLs).
 *
 * @throws ConfigError naming the file when it cannot be read, is larger than `maxBytes`, or is invalid.
 */
export async function readSvcmap(path: string, maxBytes: number): Promise<ImportMap> {
  let text: string;
  try {
    const size = (await stat(path)).size;
    if (size > maxBytes) {
      throw new ConfigError(`is ${size} bytes; the bound is ${maxBytes} (maxResponseBytes)`, { file: path });
    }
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`the svcmap cannot be read (${codeOf(error)}); check the path`, { file: path });
  }
  return new Map(
    svcmapEntries(text, path, maxBytes).map((entry) => [normaliseLocation(entry.sourceUrl), entry.file]),
  );
}

function lineOf(text: string, needle: string): number | undefined {
  const index = text.indexOf(needle.replaceAll('&', '&amp;'));
  return index === -1 ? undefined : positionAt(text, index).line;
}

function codeOf(error: unknown): string {
  const code: unknown = error instanceof Error ? Reflect.get(error, 'code') : undefined;
  return typeof code === 'string' ? code : String(error);
}
