import { FormatError } from '../format-error.ts';

/**
 * Finding the records of a record-oriented XML file — the repeating elements under the root of an
 * ERP export, the IDOCs of an IDoc file — in a stream of text, without building the document. The
 * scanner knows just enough XML to do that safely: tags (with quoted attribute values), comments,
 * CDATA, processing instructions. It refuses any DTD markup where it appears (naming the line),
 * bounds nesting depth and record length, and checks that end tags match. Each record's text then
 * goes to the hardened parser in src/xml, so a record is never parsed by anything else.
 */

/** One record as found: its outer XML and where it starts. */
export interface RawXmlRecord {
  /** The element name as written (`ns:Item`). */
  name: string;
  line: number;
  /** The element's outer XML, start tag to end tag. */
  text: string;
}

export interface XmlRecordScannerOptions {
  source: string;
  /**
   * Local name (without prefix) of the record element, at any depth; outermost occurrences only.
   * Absent: every child element of the root is a record.
   */
  recordElement?: string | undefined;
  /** Longest record (or token outside records), in characters. */
  maxRecordLength: number;
  /** Deepest nesting accepted. */
  maxDepth: number;
}

interface OpenElement {
  name: string;
  line: number;
}

/**
 * A push scanner: feed text chunks with {@link push}, call {@link end} at the end; both return the
 * records completed so far. Memory: the record in progress, or one token outside records.
 */
export class XmlRecordScanner {
  private buffer = '';
  private position = 0;
  private line = 1;
  private readonly open: OpenElement[] = [];
  private record: { start: number; line: number; depth: number; name: string } | undefined;
  private rootSeen = false;
  private rootClosed = false;
  private rootStartTag: string | undefined;
  private rootName: string | undefined;
  private readonly options: XmlRecordScannerOptions;

  constructor(options: XmlRecordScannerOptions) {
    this.options = options;
  }

  /** The root element's name and start tag (with its namespace declarations), once seen. */
  get root(): { name: string; startTag: string } | undefined {
    return this.rootName === undefined || this.rootStartTag === undefined
      ? undefined
      : { name: this.rootName, startTag: this.rootStartTag };
  }

  /** The line the scanner has reached. */
  get currentLine(): number {
    return this.line;
  }

  push(text: string): RawXmlRecord[] {
    this.buffer += text;
    const records: RawXmlRecord[] = [];
    this.scan(records);
    this.compact();
    return records;
  }

  end(): RawXmlRecord[] {
    const records: RawXmlRecord[] = [];
    this.scan(records);
    const rest = this.buffer.slice(this.position);
    if (rest.trim() !== '') {
      if (rest.trimStart().startsWith('<')) {
        throw this.error('truncated', 'the file ends inside a tag, comment or CDATA section');
      }
    }
    const innermost = this.open.at(-1);
    if (innermost !== undefined) {
      throw this.error(
        'truncated',
        `the file ends inside <${innermost.name}> opened at line ${innermost.line}: it is cut short`,
      );
    }
    if (!this.rootSeen)
      throw new FormatError('empty', 'no XML element in the file', { source: this.options.source });
    return records;
  }

  private scan(records: RawXmlRecord[]): void {
    const { buffer } = this;
    for (;;) {
      const lt = buffer.indexOf('<', this.position);
      const textEnd = lt === -1 ? buffer.length : lt;
      if (textEnd > this.position) {
        if (this.open.length === 0 && buffer.slice(this.position, textEnd).trim() !== '') {
          throw this.error(
            'malformed',
            `text outside the root element: ${preview(buffer.slice(this.position, textEnd))}`,
          );
        }
        this.advanceTo(textEnd);
      }
      if (lt === -1) {
        this.checkPending(0);
        return;
      }
      const tokenEnd = this.token(lt, records);
      if (tokenEnd === undefined) {
        this.checkPending(buffer.length - lt);
        return;
      }
      this.advanceTo(tokenEnd);
    }
  }

  /** Handles the token at `lt`; returns the index after it, or undefined when more text is needed. */
  private token(lt: number, records: RawXmlRecord[]): number | undefined {
    const { buffer } = this;
    const next = buffer.charAt(lt + 1);
    if (next === '') return undefined;
    if (next === '?') return after(buffer, '?>', lt + 2);
    if (next === '!') {
      if (buffer.length < lt + 9 && !buffer.startsWith('<!--', lt)) return undefined;
      if (buffer.startsWith('<!--', lt)) return after(buffer, '-->', lt + 4);
      if (buffer.startsWith('<![CDATA[', lt)) {
        if (this.open.length === 0) throw this.error('malformed', 'a CDATA section outside the root element');
        return after(buffer, ']]>', lt + 9);
      }
      const keyword = /^<!([A-Za-z]*)/.exec(buffer.slice(lt, lt + 12))?.[1] ?? '';
      throw this.error(
        'doctype',
        `<!${keyword} refused: erpbridge reads no DTD (entities could expand without bound or read files); the sender must not declare one`,
      );
    }
    const gt = tagEnd(buffer, lt + 1);
    if (gt === undefined) return undefined;
    const tag = buffer.slice(lt, gt + 1);
    if (next === '/') {
      this.closeElement(tag, gt + 1, records);
      return gt + 1;
    }
    this.openElement(tag, lt, records);
    return gt + 1;
  }

  private openElement(tag: string, start: number, records: RawXmlRecord[]): void {
    const name = /^<([^\s/>]+)/.exec(tag)?.[1];
    if (name === undefined) throw this.error('malformed', `not a tag: ${preview(tag)}`);
    if (this.rootClosed) throw this.error('malformed', `a second root element <${name}>: a document has one`);
    const selfClosing = tag.endsWith('/>');
    const depth = this.open.length + 1;
    if (depth > this.options.maxDepth) {
      throw this.error('too-deep', `elements nested deeper than ${this.options.maxDepth} levels: refused`);
    }
    if (depth === 1) {
      this.rootSeen = true;
      this.rootName = name;
      this.rootStartTag = tag;
    }
    const isRecord =
      this.record === undefined &&
      depth > 1 &&
      (this.options.recordElement === undefined
        ? depth === 2
        : localName(name) === this.options.recordElement);
    if (isRecord) {
      if (selfClosing) {
        records.push({ name, line: this.lineAt(start), text: tag });
      } else {
        this.record = { start, line: this.lineAt(start), depth, name };
      }
    }
    if (selfClosing) {
      if (depth === 1) this.rootClosed = true;
      return;
    }
    this.open.push({ name, line: this.lineAt(start) });
  }

  private closeElement(tag: string, end: number, records: RawXmlRecord[]): void {
    const name = /^<\/\s*([^\s>]+)\s*>$/.exec(tag)?.[1];
    const innermost = this.open.at(-1);
    if (name === undefined) throw this.error('malformed', `not an end tag: ${preview(tag)}`);
    if (innermost === undefined) throw this.error('malformed', `</${name}> closes nothing`);
    if (innermost.name !== name) {
      throw this.error(
        'malformed',
        `</${name}> where <${innermost.name}> (line ${innermost.line}) must close first`,
      );
    }
    this.open.pop();
    if (this.record !== undefined && this.open.length === this.record.depth - 1) {
      this.checkPending(0, end);
      records.push({
        name: this.record.name,
        line: this.record.line,
        text: this.buffer.slice(this.record.start, end),
      });
      this.record = undefined;
    }
    if (this.open.length === 0) this.rootClosed = true;
  }

  /** The record in progress, or the token waiting for its end, must stay within the limit. */
  private checkPending(tokenLength: number, recordEnd = this.buffer.length): void {
    const pending = this.record === undefined ? tokenLength : recordEnd - this.record.start;
    if (pending > this.options.maxRecordLength) {
      throw this.error(
        'too-long',
        `a ${this.record === undefined ? 'token' : `<${this.record.name}> record`} longer than ${this.options.maxRecordLength} characters: raise the limit or check the file`,
        this.record?.line,
      );
    }
  }

  /** Line of an index at or after the current position. */
  private lineAt(index: number): number {
    return this.line + countLineBreaks(this.buffer, this.position, index);
  }

  private advanceTo(index: number): void {
    this.line += countLineBreaks(this.buffer, this.position, index);
    this.position = index;
  }

  /** Drops text no longer needed: everything before the position, or before the record in progress. */
  private compact(): void {
    const keepFrom = this.record?.start ?? this.position;
    if (keepFrom === 0) return;
    this.buffer = this.buffer.slice(keepFrom);
    this.position -= keepFrom;
    if (this.record !== undefined) this.record.start -= keepFrom;
  }

  private error(
    problem: 'malformed' | 'truncated' | 'doctype' | 'too-deep' | 'too-long',
    reason: string,
    line?: number,
  ) {
    return new FormatError(problem, reason, { source: this.options.source, line: line ?? this.line });
  }
}

/** `ns:Item` → `Item`. */
export function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

/** Index after `terminator` searched from `from`, or undefined when it is not there yet. */
function after(text: string, terminator: string, from: number): number | undefined {
  const at = text.indexOf(terminator, from);
  return at === -1 ? undefined : at + terminator.length;
}

/** Index of the `>` that ends the tag starting before `from`, skipping quoted attribute values. */
function tagEnd(text: string, from: number): number | undefined {
  const gt = text.indexOf('>', from);
  if (gt === -1) return undefined;
  const tag = text.slice(from, gt);
  if (!tag.includes('"') && !tag.includes("'")) return gt;
  let quote = '';
  for (let index = from; index < text.length; index++) {
    const character = text.charAt(index);
    if (quote !== '') {
      if (character === quote) quote = '';
    } else if (character === '"' || character === "'") {
      quote = character;
    } else if (character === '>') {
      return index;
    }
  }
  return undefined;
}

function countLineBreaks(text: string, from: number, to: number): number {
  let count = 0;
  for (let at = text.indexOf('\n', from); at !== -1 && at < to; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

function preview(text: string): string {
  const trimmed = text.trim();
  return JSON.stringify(trimmed.length > 40 ? `${trimmed.slice(0, 40)}…` : trimmed);
}
