import { type ByteInput, openBytes, peekBytes } from '../byte-source.ts';
import { FormatError, type WarningSink, withLine } from '../format-error.ts';
import { decodeText } from '../text-decoding.ts';
import type { EdiEvent, EdiGroup, EdiInterchange, TokenizedSegment } from './edi-model.ts';
import { type ControlPolicy, type EnvelopeSyntax, readEnvelopes } from './envelope-reader.ts';
import {
  DEFAULT_MAX_SEGMENT_LENGTH,
  type SegmentTokenizer,
  type SegmentTokenizerOptions,
} from './tokenizer-base.ts';

/** Options of the X12 and EDIFACT readers. */
export interface ReadEdiOptions {
  source?: string;
  /**
   * An iconv-lite encoding. Default: UTF-8, and bytes that are not UTF-8 are read as Latin-1 with a
   * warning (partners send either, whatever they declare).
   */
  encoding?: string;
  /** Longest segment, in characters; default {@link DEFAULT_MAX_SEGMENT_LENGTH}. */
  maxSegmentLength?: number;
  /** `strict` (default): control problems are errors; `report`: they become issues on the envelope. */
  control?: ControlPolicy;
  onWarning?: WarningSink;
}

/** The parts of a reader that differ between X12 and EDIFACT. */
export interface EdiDialect {
  syntax: EnvelopeSyntax;
  tokenizer(options: SegmentTokenizerOptions): SegmentTokenizer;
  /** The encoding to decode with when the caller gave none, from the first bytes (EDIFACT's UNB charset). */
  encodingFor?(head: Buffer): string | undefined;
}

/**
 * Envelope events of an X12 or EDIFACT file, read segment by segment from a stream; see
 * `edi-model.ts` for what comes out.
 */
export async function* readEdi(
  input: ByteInput,
  dialect: EdiDialect,
  options: ReadEdiOptions = {},
): AsyncGenerator<EdiEvent> {
  const opened = openBytes(input, options.source);
  const source = opened.source;
  const maxSegmentLength = options.maxSegmentLength ?? DEFAULT_MAX_SEGMENT_LENGTH;
  if (!Number.isInteger(maxSegmentLength) || maxSegmentLength < 1) {
    throw new FormatError(
      'unsupported',
      `maxSegmentLength must be a positive integer, not ${maxSegmentLength}`,
      { source },
    );
  }
  const peeked = await peekBytes(opened.chunks, 4096);
  const encoding = options.encoding ?? dialect.encodingFor?.(peeked.head);
  const decoded = decodeText(peeked.head, peeked.chunks, {
    source,
    encoding,
    invalidUtf8: 'latin1',
    onWarning: options.onWarning,
  });
  const tokenizer = dialect.tokenizer({ source, maxSegmentLength });
  async function* batches(): AsyncGenerator<TokenizedSegment[]> {
    try {
      for await (const text of decoded.chunks) {
        const segments = tokenizer.push(text);
        if (segments.length > 0) yield segments;
      }
    } catch (error) {
      if (error instanceof FormatError && error.problem === 'encoding')
        throw withLine(error, tokenizer.currentLine);
      throw error;
    }
    const last = tokenizer.end();
    if (last.length > 0) yield last;
  }
  yield* readEnvelopes(batches(), dialect.syntax, {
    source,
    control: options.control ?? 'strict',
  });
}

/**
 * The whole document model from envelope events: for the CLI, tests and acknowledgements. A
 * streaming consumer handles the events instead and never holds more than one message.
 */
export async function collectInterchanges(events: AsyncIterable<EdiEvent>): Promise<EdiInterchange[]> {
  const interchanges: EdiInterchange[] = [];
  let interchange: EdiInterchange | undefined;
  let group: EdiGroup | undefined;
  for await (const event of events) {
    switch (event.kind) {
      case 'interchange':
        interchange = {
          standard: event.standard,
          delimiters: event.delimiters,
          header: event.header,
          groups: [],
          messages: [],
          trailer: { tag: '', elements: [] },
          position: event.position,
        };
        interchanges.push(interchange);
        break;
      case 'group':
        group = {
          header: event.header,
          messages: [],
          trailer: { tag: '', elements: [] },
          position: event.position,
        };
        interchange?.groups.push(group);
        break;
      case 'message':
        if (group !== undefined) group.messages.push(event.message);
        else interchange?.messages.push(event.message);
        break;
      case 'group-end':
        if (group !== undefined) {
          group.trailer = event.trailer;
          if (event.issues.length > 0) group.issues = event.issues;
        }
        group = undefined;
        break;
      case 'interchange-end':
        if (interchange !== undefined) {
          interchange.trailer = event.trailer;
          if (event.issues.length > 0) interchange.issues = event.issues;
        }
        interchange = undefined;
        break;
    }
  }
  return interchanges;
}
