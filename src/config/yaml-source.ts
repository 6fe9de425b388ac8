import { type Document, isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import { ConfigError } from '../errors/index.ts';

/** A parsed YAML file that can say on which line a key path stands. */
export interface YamlSource {
  file: string;
  value: unknown;
  /** Line of the deepest node of `path` that exists (1-based), for error messages. */
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

/** Parses YAML text; a syntax error becomes a ConfigError with the file and line. */
export function parseYamlSource(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const [firstError] = document.errors;
  if (firstError) {
    const line = firstError.linePos?.[0]?.line;
    const message = firstError.message.split('\n')[0] ?? firstError.message;
    throw new ConfigError(`YAML syntax error: ${message}`, { file, ...(line === undefined ? {} : { line }) });
  }
  return {
    file,
    value: document.toJS(),
    lineOf: (path) => lineOf(document, lineCounter, path),
  };
}

function lineOf(
  document: Document,
  lineCounter: LineCounter,
  path: readonly PropertyKey[],
): number | undefined {
  let node: unknown = document.contents;
  let offset: number | undefined = rangeStart(node);
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => scalarValue(item.key) === String(segment));
      if (!pair) break;
      // Point at the key, the place a person looks for.
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined) break;
      offset = rangeStart(item) ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}

function rangeStart(node: unknown): number | undefined {
  if (typeof node === 'object' && node !== null && 'range' in node) {
    const range = node.range;
    if (Array.isArray(range) && typeof range[0] === 'number') return range[0];
  }
  return undefined;
}

function scalarValue(node: unknown): string | undefined {
  if (typeof node === 'object' && node !== null && 'value' in node) return String(node.value);
  return undefined;
}
