import { Buffer, isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { FormatError, type WarningSink } from './format-error.ts';

/**
 * Turning the bytes of an exchanged file into text, the way legacy ERPs write them: UTF-8 with or
 * without a BOM, UTF-16 with a BOM, or a single-byte code page (Windows-1252, ISO-8859-x) that only
 * the caller can know. Detection is limited to what the bytes prove (a BOM, `<` in UTF-16); anything
 * else is an explicit option, because guessing a code page silently corrupts names and amounts.
 */

/** What a BOM (or an XML document's first bytes) proves about the encoding. */
export interface SniffedEncoding {
  /** iconv-lite name: `utf-8`, `utf-16le`, `utf-16be`. */
  encoding: string;
  /** Length of the BOM to skip; 0 when there was none. */
  bomLength: number;
}

/**
 * The encoding the first bytes prove, or undefined: a UTF-8 or UTF-16 BOM, or `<` followed by a NUL
 * (or the reverse) — XML in UTF-16 without a BOM (XML 1.0 appendix F). Pure.
 */
export function sniffEncoding(head: Uint8Array): SniffedEncoding | undefined {
  const [b0, b1, b2] = head;
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (b0 === 0xff && b1 === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (b0 === 0xfe && b1 === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  if (b0 === 0x3c && b1 === 0x00) return { encoding: 'utf-16le', bomLength: 0 };
  if (b0 === 0x00 && b1 === 0x3c) return { encoding: 'utf-16be', bomLength: 0 };
  return undefined;
}

/**
 * The canonical name of an encoding iconv-lite knows (`latin1`, `windows-1252`, `ISO-8859-15`,
 * `cp1252`, `utf16le` …), or a FormatError naming the option.
 */
export function checkEncoding(encoding: string, source: string): string {
  if (!iconv.encodingExists(encoding)) {
    throw new FormatError(
      'unsupported',
      `unknown encoding "${encoding}"; use utf-8, utf-16le, utf-16be, windows-1252 or iso-8859-1…16`,
      { source },
    );
  }
  return encoding.toLowerCase().replace(/_/g, '-');
}

/** True for the names iconv-lite treats as UTF-8. */
export function isUtf8Name(encoding: string): boolean {
  return /^utf-?8$/i.test(encoding);
}

/**
 * Where a chunk stops being complete UTF-8: the index of a trailing, incomplete multi-byte
 * sequence, or `bytes.length`. The incomplete tail is carried to the next chunk. Pure.
 */
export function completeUtf8Length(bytes: Uint8Array): number {
  const end = bytes.length;
  for (let back = 1; back <= 3 && back <= end; back++) {
    const byte = bytes[end - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? end - back : end;
  }
  return end;
}

/** Index of the first byte that does not start a valid UTF-8 sequence; -1 when all are valid. Pure. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const byte = bytes[index] ?? 0;
    let needed: number;
    let min: number;
    if (byte < 0x80) {
      index++;
      continue;
    } else if (byte >= 0xc2 && byte <= 0xdf) {
      needed = 1;
      min = 0x80;
    } else if (byte >= 0xe0 && byte <= 0xef) {
      needed = 2;
      min = 0x800;
    } else if (byte >= 0xf0 && byte <= 0xf4) {
      needed = 3;
      min = 0x10000;
    } else {
      return index;
    }
    let codePoint = byte & (0x3f >> needed);
    for (let k = 1; k <= needed; k++) {
      const next = bytes[index + k];
      if (next === undefined || (next & 0xc0) !== 0x80) return index;
      codePoint = (codePoint << 6) | (next & 0x3f);
    }
    if (codePoint < min || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return index;
    index += needed + 1;
  }
  return -1;
}

/** How the text decoder treats bytes that are not UTF-8 when UTF-8 was assumed. */
export type InvalidUtf8Policy = 'error' | 'latin1';

export interface DecodeTextOptions {
  /** For messages. */
  source: string;
  /** An iconv-lite encoding; absent: a BOM decides, otherwise UTF-8. */
  encoding?: string | undefined;
  /**
   * `error` (default): bytes that are not UTF-8 are a FormatError naming the byte offset.
   * `latin1`: read from that chunk on as ISO-8859-1 and warn once — EDI partners send Latin-1 under
   * any declared charset.
   */
  invalidUtf8?: InvalidUtf8Policy;
  /** A NUL byte in the text is an error (binary, or UTF-16 without a BOM); default true. */
  refuseNul?: boolean;
  onWarning?: WarningSink | undefined;
}

/** What {@link decodeText} found out about the text, known after the first chunk. */
export interface DecodedText<Chunk> {
  /** The encoding used: the option, the BOM's, or `utf-8`. */
  encoding: string;
  /** Whether a BOM was found (and skipped). */
  bom: boolean;
  chunks: AsyncGenerator<Chunk>;
}

type ByteChunks = AsyncIterable<Buffer> | Iterable<Buffer>;

/**
 * Decodes byte chunks to text chunks, chunk by chunk. The first chunk decides the encoding (see
 * {@link sniffEncoding}); a BOM is skipped. On a problem the text before it is yielded first, then a
 * FormatError (`encoding`, with the byte offset) is thrown, so a tokenizer that consumed that text
 * can name the line.
 */
export function decodeText(
  head: Buffer,
  chunks: ByteChunks,
  options: DecodeTextOptions,
): DecodedText<string> {
  return decode(head, chunks, options, {
    fromUtf8: (bytes) => bytes.toString('utf8'),
    fromLatin1: (bytes) => bytes.toString('latin1'),
    fromText: (text) => text,
  });
}

/**
 * As {@link decodeText}, but the text comes out as UTF-8 bytes: valid UTF-8 input passes through
 * without a string in between, which is what csv-parse wants (it works on bytes).
 */
export function decodeToUtf8Bytes(
  head: Buffer,
  chunks: ByteChunks,
  options: DecodeTextOptions,
): DecodedText<Buffer> {
  return decode(head, chunks, options, {
    fromUtf8: (bytes) => bytes,
    fromLatin1: (bytes) => Buffer.from(bytes.toString('latin1'), 'utf8'),
    fromText: (text) => Buffer.from(text, 'utf8'),
  });
}

interface Output<Chunk> {
  fromUtf8(bytes: Buffer): Chunk;
  fromLatin1(bytes: Buffer): Chunk;
  fromText(text: string): Chunk;
}

function decode<Chunk>(
  head: Buffer,
  chunks: ByteChunks,
  options: DecodeTextOptions,
  output: Output<Chunk>,
): DecodedText<Chunk> {
  const sniffed = sniffEncoding(head);
  const explicit =
    options.encoding === undefined ? undefined : checkEncoding(options.encoding, options.source);
  const encoding = explicit ?? sniffed?.encoding ?? 'utf-8';
  const sameAsSniffed =
    sniffed !== undefined && (explicit === undefined || sameEncoding(explicit, sniffed.encoding));
  const bomLength = sameAsSniffed ? (sniffed?.bomLength ?? 0) : 0;
  const generator = isUtf8Name(encoding)
    ? decodeUtf8(chunks, bomLength, options, output)
    : decodeWithIconv(chunks, encoding, bomLength, options, output);
  return { encoding, bom: bomLength > 0, chunks: generator };
}

function sameEncoding(a: string, b: string): boolean {
  const canonical = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return canonical(a) === canonical(b);
}

async function* decodeUtf8<Chunk>(
  chunks: ByteChunks,
  bomLength: number,
  options: DecodeTextOptions,
  output: Output<Chunk>,
): AsyncGenerator<Chunk> {
  const refuseNul = options.refuseNul ?? true;
  const policy = options.invalidUtf8 ?? 'error';
  let carry: Buffer | undefined;
  let offset = 0; // file offset of the first byte of `bytes`
  let line = 1; // line of the first byte of `bytes`
  let latin1 = false;
  let skip = bomLength;
  for await (const chunk of chunks) {
    let bytes = carry === undefined ? chunk : Buffer.concat([carry, chunk]);
    carry = undefined;
    if (skip > 0) {
      const skipped = Math.min(skip, bytes.length);
      bytes = bytes.subarray(skipped);
      offset += skipped;
      skip -= skipped;
    }
    if (refuseNul) {
      const nul = bytes.indexOf(0);
      if (nul !== -1) {
        if (nul > 0)
          yield latin1 ? output.fromLatin1(bytes.subarray(0, nul)) : output.fromUtf8(bytes.subarray(0, nul));
        throw nulByte(nul, offset, line + countLineFeeds(bytes, nul), options.source);
      }
    }
    if (latin1) {
      yield output.fromLatin1(bytes);
      offset += bytes.length;
      line += countLineFeeds(bytes, bytes.length);
      continue;
    }
    const complete = completeUtf8Length(bytes);
    const body = complete === bytes.length ? bytes : bytes.subarray(0, complete);
    if (complete < bytes.length) carry = Buffer.from(bytes.subarray(complete));
    if (isUtf8(body)) {
      if (body.length > 0) yield output.fromUtf8(body);
      offset += body.length;
      line += countLineFeeds(body, body.length);
      continue;
    }
    const bad = firstInvalidUtf8(body);
    if (bad > 0) yield output.fromUtf8(body.subarray(0, bad));
    if (policy === 'error')
      throw notUtf8(body, bad, offset + bad, line + countLineFeeds(body, bad), options.source);
    options.onWarning?.({
      message: `bytes from here on are not UTF-8 (${hexBytes(body, bad)}); read as ISO-8859-1 (Latin-1)`,
      position: { source: options.source, byte: offset + bad },
    });
    latin1 = true;
    yield output.fromLatin1(body.subarray(bad));
    offset += body.length;
    line += countLineFeeds(body, body.length);
    if (carry !== undefined) {
      yield output.fromLatin1(carry);
      offset += carry.length;
      carry = undefined;
    }
  }
  if (carry !== undefined) {
    // The file ends inside a multi-byte sequence.
    if (policy === 'error') throw notUtf8(carry, 0, offset, line, options.source);
    yield output.fromLatin1(carry);
  }
}

async function* decodeWithIconv<Chunk>(
  chunks: ByteChunks,
  encoding: string,
  bomLength: number,
  options: DecodeTextOptions,
  output: Output<Chunk>,
): AsyncGenerator<Chunk> {
  const decoder = iconv.getDecoder(encoding, { stripBOM: false });
  const multiByte = /^utf-?(16|32)/i.test(encoding);
  const refuseNul = options.refuseNul ?? true;
  let skip = bomLength;
  let offset = 0;
  const line = 1;
  for await (const chunk of chunks) {
    let bytes = chunk;
    if (skip > 0) {
      const skipped = Math.min(skip, bytes.length);
      bytes = bytes.subarray(skipped);
      offset += skipped;
      skip -= skipped;
    }
    if (refuseNul && !multiByte) {
      const nul = bytes.indexOf(0);
      if (nul !== -1) {
        const before = nul > 0 ? decoder.write(bytes.subarray(0, nul)) : '';
        if (before.length > 0) yield output.fromText(before);
        throw nulByte(nul, offset, line + countLineFeeds(before, before.length), options.source);
      }
    }
    const text = decoder.write(bytes);
    if (refuseNul && multiByte && text.includes('\u0000')) {
      const at = text.indexOf('\u0000');
      if (at > 0) yield output.fromText(text.slice(0, at));
      throw new FormatError(
        'encoding',
        `a NUL character in ${encoding} text: this is not a text file, or not ${encoding}`,
        {
          source: options.source,
          byte: offset,
        },
      );
    }
    offset += bytes.length;
    if (text.length > 0) yield output.fromText(text);
  }
  const rest = decoder.end();
  if (rest !== undefined && rest.length > 0) yield output.fromText(rest);
}

/** Line feeds among the first `end` bytes or characters: how far a position is from the start, in lines. */
function countLineFeeds(data: Buffer | string, end: number): number {
  let count = 0;
  if (typeof data === 'string') {
    for (let at = data.indexOf('\n'); at !== -1 && at < end; at = data.indexOf('\n', at + 1)) count++;
  } else {
    for (let at = data.indexOf(10); at !== -1 && at < end; at = data.indexOf(10, at + 1)) count++;
  }
  return count;
}

function nulByte(index: number, offset: number, line: number, source: string): FormatError {
  const utf16 = index % 2 === 1 ? 'utf-16le' : 'utf-16be';
  return new FormatError(
    'encoding',
    `a NUL byte: this is binary, or ${utf16.toUpperCase()} without a byte order mark (then pass the encoding ${utf16})`,
    { source, line, byte: offset + index },
  );
}

function notUtf8(
  bytes: Buffer,
  index: number,
  fileOffset: number,
  line: number,
  source: string,
): FormatError {
  return new FormatError(
    'encoding',
    `bytes ${hexBytes(bytes, index)} are not UTF-8; the file is likely Windows-1252 or ISO-8859-1: pass that encoding`,
    { source, line, byte: fileOffset },
  );
}

function hexBytes(bytes: Buffer, index: number): string {
  return [...bytes.subarray(index, index + 3)]
    .map((byte) => `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`)
    .join(' ');
}
