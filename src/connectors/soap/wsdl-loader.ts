import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Client, createClientAsync } from 'soap';
import { ConfigError, ErpError } from '../../errors/index.ts';
import { installAnswerReader } from './answer-reader.ts';
import { buildImportMap, type ImportMap, normaliseLocation } from './import-map.ts';
import type { SoapConnectionConfig } from './soap-config.ts';
import { errorForExchange } from './soap-errors.ts';
import { SoapExchange } from './soap-exchange.ts';
import type { SoapTransport } from './soap-transport.ts';
import { readSvcmap } from './svcmap.ts';
import {
  collectWsdlDocuments,
  type DocumentSource,
  importKey,
  type WsdlDocumentSet,
} from './wsdl-documents.ts';
import type { SoapVersion } from './wsdl-scan.ts';

/**
 * Loading a WSDL into node-soap without letting node-soap fetch anything: erpbridge reads and vets
 * the whole document set first (`wsdl-documents.ts`), then hands node-soap the entry with two locks:
 * `wsdl_options.overrideImportLocation` answers every import from the vetted set (an import
 * erpbridge did not see is an error), and the transport answers node-soap's GETs only with vetted
 * documents. node-soap still reads local files itself — the same files that were vetted.
 */

export interface ReadWsdlOptions {
  config: SoapConnectionConfig;
  connector: string;
  baseDir: string;
  transport: SoapTransport;
  /** Authentication for fetching a WSDL given as a URL. */
  security: Parameters<SoapTransport['get']>[2];
  secrets: readonly string[];
}

/**
 * node-soap's default converts `xs:decimal` and `xs:long` to JavaScript numbers (losing digits past
 * 2^53 and the written scale: `100.50` becomes 100.5) and dates to `Date` objects in the local time
 * zone. ERP data keeps its lexical form here; profiles parse it deliberately.
 */
const KEEP_AS_WRITTEN = Object.fromEntries(
  [
    'decimal',
    'integer',
    'long',
    'unsignedLong',
    'nonNegativeInteger',
    'positiveInteger',
    'nonPositiveInteger',
    'negativeInteger',
    'date',
    'dateTime',
    'time',
  ].map((type) => [type, (text: string) => text]),
);

/**
 * Reads and vets the configured WSDL and everything it imports; documents fetched from a URL are
 * handed to the transport, which serves them (and nothing else) to node-soap.
 *
 * @throws ConfigError for a refused import, an unreadable or invalid document or a svcmap problem;
 *   ErpError when fetching a WSDL URL fails.
 */
export async function readWsdlDocuments(options: ReadWsdlOptions): Promise<WsdlDocumentSet> {
  const { config, connector, baseDir, transport } = options;
  const svcmap =
    config.svcmap === undefined
      ? undefined
      : await readSvcmap(inBase(config.svcmap, baseDir), config.maxResponseBytes);
  const importMap = buildImportMap(config.importMap, baseDir, svcmap);
  const entry = entrySource(config.wsdl, baseDir, importMap);
  const documents = await collectWsdlDocuments(entry, {
    importMap,
    maxBytes: config.maxResponseBytes,
    connector,
    fetchText: (url) => fetchDocument(url, options),
  });
  for (const document of documents.documents) {
    if (document.source.kind === 'url') transport.serveDocument(document.location, document.text);
  }
  return documents;
}

/**
 * Loads vetted documents into a node-soap client whose every import is answered from them.
 *
 * @param soapVersion of the port that will be called: node-soap builds 1.1 envelopes unless told.
 * @throws ConfigError when node-soap cannot read the WSDL or asks for a document that was not vetted.
 */
export async function loadIntoNodeSoap(
  documents: WsdlDocumentSet,
  options: { config: SoapConnectionConfig; transport: SoapTransport; soapVersion: SoapVersion | undefined },
): Promise<Client> {
  const { config, transport, soapVersion } = options;
  try {
    const client = await createClientAsync(documents.entry.location, {
      disableCache: true,
      httpClient: transport,
      wsdl_options: {
        overrideImportLocation: (_resolved: string, parent: string, written: string) => {
          const vetted = documents.imports.get(importKey(parent, written));
          if (vetted === undefined) {
            throw new ConfigError(
              `node-soap asked for import "${written}", which erpbridge did not vet; it is not read`,
              { file: parent },
            );
          }
          return vetted;
        },
      },
      ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
      customDeserializer: KEEP_AS_WRITTEN,
      forceSoap12Headers: soapVersion === '1.2',
    });
    installAnswerReader(client.wsdl, config.maxResponseBytes);
    return client;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof ErpError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`node-soap cannot read the WSDL: ${reason}`, { file: documents.entry.location });
  }
}

/** Where the configured WSDL is: a mapped URL is its local file; a file: URL or path a file. */
function entrySource(wsdl: string, baseDir: string, importMap: ImportMap): DocumentSource {
  if (/^https?:\/\//i.test(wsdl)) {
    const mapped = importMap.get(normaliseLocation(wsdl));
    return mapped === undefined
      ? { kind: 'url', url: normaliseLocation(wsdl) }
      : { kind: 'file', path: mapped };
  }
  if (/^file:/i.test(wsdl)) return { kind: 'file', path: fileURLToPath(wsdl) };
  return { kind: 'file', path: inBase(wsdl, baseDir) };
}

function inBase(path: string, baseDir: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

async function fetchDocument(url: string, options: ReadWsdlOptions): Promise<string> {
  const { config, connector } = options;
  const exchange = new SoapExchange({ timeoutMs: config.timeoutMs, source: url });
  await options.transport.get(url, exchange, options.security);
  const problem = errorForExchange(exchange, {
    connector,
    operation: 'reading the WSDL',
    url,
    expectsAnswer: true,
    maxResponseBytes: config.maxResponseBytes,
    hasAuth: config.auth !== undefined,
    secrets: options.secrets,
  });
  if (problem !== undefined) throw problem;
  const answer = exchange.answer;
  if (answer === undefined)
    throw new ErpError('permanent', `reading the WSDL: no answer from GET ${url}`, { connector, url });
  return answer.body;
}
