import { type CheckXmlOptions, checkXml } from './check-xml.ts';
import { decodeXmlReferences } from './entity-decoder.ts';
import { XmlError } from './xml-error.ts';

/**
 * Reading a document's start tags in order, with each element's namespace resolved, without
 * building a tree — for documents that are large and of which only a few elements matter: a 1 MB
 * Dynamics AX shared-types XSD read only for its imports, say. The document passes the same
 * checks as `parseXml` first (size, no DTD, well-formed), so the scan can stay simple.
 */
export interface ScannedElement {
  /** `soap12:binding` → `binding`. */
  localName: string;
  /** The namespace its prefix (or the default namespace) is bound to; undefined when none is. */
  namespace: string | undefined;
  /** Attributes by name as written (`wsu:Id` keeps its prefix), values decoded; no `xmlns` declarations. */
  attributes: Readonly<Record<string, string>>;
  /** Where the start tag begins, from 1. */
  line: number;
  column: number;
  /** Resolves a QName written in an attribute (`tns:Order`) in this element's scope. */
  resolve(qualifiedName: string): { namespace: string | undefined; localName: string };
}

/** Deepest nesting the scan accepts, as `parseXml` does. */
const MAX_DEPTH = 100;

/**
 * Calls `open` for each element's start tag, in document order, with its ancestors (root first).
 *
 * @throws XmlError as `checkXml` does; `malformed` for nesting deeper than 100.
 */
export function scanElements(
  text: string,
  open: (element: ScannedElement, ancestors: readonly ScannedElement[]) => void,
  options: CheckXmlOptions = {},
): void {
  const { body, lineOffset } = checkXml(text, options);
  const stack: { element: ScannedElement; scope: ReadonlyMap<string, string> }[] = [];
  const lines = lineCounter(body, lineOffset);
  const malformed = (at: number, what: string) =>
    new XmlError('malformed', what, { source: options.source, ...lines(at) });
  /** The offset just after `marker`, searched from `from`; the document is well-formed, so it is there. */
  const after = (marker: string, from: number, at: number) => {
    const found = body.indexOf(marker, from);
    if (found === -1) throw malformed(at, `unterminated markup: no "${marker}"`);
    return found + marker.length;
  };
  for (let index = body.indexOf('<'); index !== -1; index = body.indexOf('<', index)) {
    const next = body[index + 1];
    if (body.startsWith('<!--', index)) index = after('-->', index + 4, index);
    else if (body.startsWith('<![CDATA[', index)) index = after(']]>', index + 9, index);
    else if (next === '?') index = after('?>', index + 2, index);
    else if (next === '/') {
      stack.pop();
      index = after('>', index + 2, index);
    } else {
      const tag = readStartTag(body, index);
      if (tag === undefined) throw malformed(index, 'a start tag that cannot be read');
      const parentScope = stack.at(-1)?.scope ?? new Map<string, string>();
      let scope: Map<string, string> | undefined;
      const attributes: Record<string, string> = {};
      for (const [name, value] of tag.attributes) {
        if (name === 'xmlns' || name.startsWith('xmlns:')) {
          scope ??= new Map(parentScope);
          scope.set(name === 'xmlns' ? '' : name.slice('xmlns:'.length), value);
        } else {
          attributes[name] = value;
        }
      }
      const inScope: ReadonlyMap<string, string> = scope ?? parentScope;
      const resolve = (qualifiedName: string) => {
        const colon = qualifiedName.indexOf(':');
        return {
          namespace: inScope.get(colon === -1 ? '' : qualifiedName.slice(0, colon)),
          localName: qualifiedName.slice(colon + 1),
        };
      };
      const { line, column } = lines(index);
      const element: ScannedElement = { ...resolve(tag.name), attributes, line, column, resolve };
      open(
        element,
        stack.map((entry) => entry.element),
      );
      if (!tag.selfClosing) {
        stack.push({ element, scope: inScope });
        if (stack.length > MAX_DEPTH) throw malformed(index, `nesting deeper than ${MAX_DEPTH} elements`);
      }
      index = tag.end;
    }
  }
}

/**
 * The name, attributes (values decoded) and end of the start tag at `start`, or undefined when it
 * cannot be read (the validator let through something this reader does not expect).
 */
function readStartTag(
  body: string,
  start: number,
): { name: string; attributes: [string, string][]; selfClosing: boolean; end: number } | undefined {
  const nameLength = body.slice(start + 1).search(/[\s/>]/);
  if (nameLength <= 0) return undefined;
  const name = body.slice(start + 1, start + 1 + nameLength);
  const attributes: [string, string][] = [];
  let index = start + 1 + nameLength;
  for (;;) {
    while (/\s/.test(body.charAt(index))) index++;
    const char = body.charAt(index);
    if (char === '>') return { name, attributes, selfClosing: false, end: index + 1 };
    if (char === '/') {
      const end = body.indexOf('>', index);
      return end === -1 ? undefined : { name, attributes, selfClosing: true, end: end + 1 };
    }
    const equals = body.indexOf('=', index);
    if (equals === -1) return undefined;
    let quote = equals + 1;
    while (/\s/.test(body.charAt(quote))) quote++;
    const mark = body.charAt(quote);
    const close = mark === '"' || mark === "'" ? body.indexOf(mark, quote + 1) : -1;
    if (close === -1) return undefined;
    attributes.push([body.slice(index, equals).trim(), decodeXmlReferences(body.slice(quote + 1, close))]);
    index = close + 1;
  }
}

/** Line and column of increasing offsets, counting each newline once. */
function lineCounter(body: string, lineOffset: number): (offset: number) => { line: number; column: number } {
  let line = 1 + lineOffset;
  let lineStart = 0;
  let scanned = 0;
  return (offset) => {
    for (
      let newline = body.indexOf('\n', scanned);
      newline !== -1 && newline < offset;
      newline = body.indexOf('\n', newline + 1)
    ) {
      line++;
      lineStart = newline + 1;
    }
    scanned = offset;
    return { line, column: offset - lineStart + 1 };
  };
}
