import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../errors/index.ts';
import { XmlError } from '../../xml/index.ts';
import { decodeBody } from './body-encoding.ts';
import { type ImportMap, normaliseLocation } from './import-map.ts';
import { scanWsdlDocument, type WsdlScan } from './wsdl-scan.ts';

/**
 * Reading a WSDL and everything it imports, vetting each location before anything is read. The
 * rules, for every `wsdl:import`, `xsd:import`, `xsd:include` and `xsd:redefine`:
 *
 * 1. a location in the import map (the `importMap` option, or the svcmap) → that local file;
 * 2. a relative location in a local file → the file beside it; a `file:` URL → that file;
 * 3. when the WSDL itself was given as an http(s) URL: a location on the same origin (scheme, host
 *    and port) → fetched from there, as the WSDL was — that server is the one the configuration
 *    names; a document fetched so may not import local files;
 * 4. anything else is an error naming the location and the document (and line) that imports it.
 *    It is never fetched.
 *
 * Every document is size-checked and parsed by the hardened XML reader (no DTD) before its imports
 * are followed, so node-soap later only reads what passed here.
 */

export type DocumentSource = { kind: 'file'; path: string } | { kind: 'url'; url: string };

/** A document that passed: where it is, its text, and what it names. */
export interface VettedDocument {
  /** The path or URL, as node-soap will be given it. */
  location: string;
  source: DocumentSource;
  text: string;
  scan: WsdlScan;
}

export interface WsdlDocumentSet {
  entry: VettedDocument;
  /** Every document, the entry first. */
  documents: VettedDocument[];
  /** `importKey(parent location, location as written)` → the vetted location it resolves to. */
  imports: ReadonlyMap<string, string>;
}

export interface CollectOptions {
  importMap: ImportMap;
  maxBytes: number;
  /** The connector's name, for the key a ConfigError names (`connectors.<name>.importMap`). */
  connector: string;
  /** Fetches an http(s) document the rules allow (the WSDL URL and its origin); throws ErpError. */
  fetchText: (url: string) => Promise<string>;
}

/** What an import resolves to. */
export type ImportResolution = DocumentSource | { kind: 'refused'; reason: string };

/** The key of one import in {@link WsdlDocumentSet.imports}. */
export function importKey(parentLocation: string, written: string): string {
  return `${parentLocation}\u0000${written}`;
}

/** The path or URL a source is read from. */
export function locationOf(source: DocumentSource): string {
  return source.kind === 'file' ? source.path : source.url;
}

/**
 * Where an import written in `parent` leads, by the rules above. Pure.
 *
 * @param allowedOrigin the origin of the WSDL when it was given as a URL; undefined otherwise.
 */
export function resolveImport(
  written: string,
  parent: DocumentSource,
  allowedOrigin: string | undefined,
  importMap: ImportMap,
): ImportResolution {
  const location = written.trim();
  const mapped = importMap.get(normaliseLocation(location));
  if (mapped !== undefined) return { kind: 'file', path: mapped };
  const hasScheme = /^[A-Za-z][A-Za-z0-9+.-]+:/.test(location) && !/^[A-Za-z]:[\\/]/.test(location);
  if (parent.kind === 'file' && !hasScheme) {
    return { kind: 'file', path: isAbsolute(location) ? location : resolve(dirname(parent.path), location) };
  }
  const base = parent.kind === 'url' ? parent.url : undefined;
  if (!URL.canParse(location, base)) return { kind: 'refused', reason: 'is not a valid location' };
  const url = new URL(location, base);
  if (url.protocol === 'file:') {
    if (parent.kind === 'url')
      return { kind: 'refused', reason: 'names a local file, but its document was fetched from a URL' };
    return { kind: 'file', path: fileURLToPath(url) };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { kind: 'refused', reason: `uses ${url.protocol}, which erpbridge does not read` };
  }
  const remapped = importMap.get(url.href);
  if (remapped !== undefined) return { kind: 'file', path: remapped };
  if (allowedOrigin !== undefined && url.origin === allowedOrigin) return { kind: 'url', url: url.href };
  return {
    kind: 'refused',
    reason:
      'is neither a local file nor mapped to one, and erpbridge does not fetch it; map it to a local file under importMap (or list it in the svcmap)',
  };
}

/**
 * Reads and vets the WSDL at `entry` and, transitively, every document it imports.
 *
 * @throws ConfigError naming the document, line and location for a refused import, a file that
 *   cannot be read, a DTD, malformed XML or a document over `maxBytes`; ErpError when fetching an
 *   allowed URL fails.
 */
export async function collectWsdlDocuments(
  entry: DocumentSource,
  options: CollectOptions,
): Promise<WsdlDocumentSet> {
  const allowedOrigin = entry.kind === 'url' ? new URL(entry.url).origin : undefined;
  const documents = new Map<string, VettedDocument>();
  const imports = new Map<string, string>();
  const queue: { source: DocumentSource; importedBy?: { location: string; line: number | undefined } }[] = [
    { source: entry },
  ];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const location = locationOf(next.source);
    if (documents.has(location)) continue;
    const text = await readSource(next.source, options, next.importedBy);
    const scan = scanDocument(text, location, options.maxBytes);
    const document = { location, source: next.source, text, scan };
    documents.set(location, document);
    for (const written of scan.imports) {
      const resolution = resolveImport(written.location, next.source, allowedOrigin, options.importMap);
      if (resolution.kind === 'refused') {
        throw new ConfigError(`import "${written.location}" ${resolution.reason}`, {
          file: location,
          line: written.line,
          key: `connectors.${options.connector}.importMap`,
        });
      }
      imports.set(importKey(location, written.location), locationOf(resolution));
      queue.push({ source: resolution, importedBy: { location, line: written.line } });
    }
  }
  const [first] = documents.values();
  if (first === undefined) throw new ConfigError('no WSDL was read', {});
  return { entry: first, documents: [...documents.values()], imports };
}

function scanDocument(text: string, location: string, maxBytes: number): WsdlScan {
  try {
    return scanWsdlDocument(text, location, maxBytes);
  } catch (error) {
    if (error instanceof XmlError) throw new ConfigError(error.reason, { file: location, line: error.line });
    throw error;
  }
}

async function readSource(
  source: DocumentSource,
  options: CollectOptions,
  importedBy: { location: string; line: number | undefined } | undefined,
): Promise<string> {
  if (source.kind === 'url') return options.fetchText(source.url);
  const where =
    importedBy === undefined
      ? { file: source.path, key: `connectors.${options.connector}.wsdl` }
      : { file: importedBy.location, line: importedBy.line };
  const subject = importedBy === undefined ? 'the WSDL' : `${source.path}, imported here,`;
  let size: number;
  try {
    const stats = await stat(source.path);
    if (!stats.isFile()) throw new ConfigError(`${subject} is not a regular file`, where);
    size = stats.size;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${subject} cannot be read (${describeFsError(error)})`, where);
  }
  if (size > options.maxBytes) {
    throw new ConfigError(
      `${subject} is ${size} bytes; the bound is ${options.maxBytes} (maxResponseBytes)`,
      where,
    );
  }
  try {
    return decodeBody(await readFile(source.path), undefined);
  } catch (error) {
    throw new ConfigError(`${subject} cannot be read (${describeFsError(error)})`, where);
  }
}

function describeFsError(error: unknown): string {
  const code: unknown = error instanceof Error ? Reflect.get(error, 'code') : undefined;
  if (code === 'ENOENT') return 'it does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return typeof code === 'string' ? code : String(error);
}
