import { FormatError, type FormatProblem } from '../format-error.ts';
import type { EdiDelimiters, TokenizedSegment } from './edi-model.ts';

/** Longest segment accepted unless told otherwise: 64 KiB (real segments are under 1 KiB). */
export const DEFAULT_MAX_SEGMENT_LENGTH = 64 * 1024;

export interface SegmentTokenizerOptions {
  source: string;
  /** Longest segment, in characters; a longer one is an error, so a file without terminators cannot exhaust memory. */
  maxSegmentLength: number;
}

/**
 * What X12 and EDIFACT tokenizers share: a text buffer fed chunk by chunk, a position, the line and
 * segment counters, layout (line breaks after terminators) skipped, and bounded pending text.
 * Subclasses find one segment at the position ({@link next}).
 */
export abstract class SegmentTokenizer {
  protected buffer = '';
  protected position = 0;
  protected line = 1;
  protected index = 0;
  protected delimiters: EdiDelimiters | undefined;
  protected readonly options: SegmentTokenizerOptions;

  constructor(options: SegmentTokenizerOptions) {
    this.options = options;
  }

  /** The line the tokenizer has reached. */
  get currentLine(): number {
    return this.line;
  }

  /** The segments completed by this text. */
  push(text: string): TokenizedSegment[] {
    this.buffer = this.position === this.buffer.length ? text : this.buffer.slice(this.position) + text;
    this.position = 0;
    return this.drain(false);
  }

  /** The last segments; an unterminated one is an error. */
  end(): TokenizedSegment[] {
    const segments = this.drain(true);
    this.skipLayout();
    if (this.position < this.buffer.length) {
      const rest = this.buffer.slice(this.position);
      throw this.error(
        'truncated',
        `the file ends inside a segment (${preview(rest)}): no segment terminator ${JSON.stringify(this.delimiters?.segment ?? '')} follows; the file is cut short`,
      );
    }
    if (this.index === 0)
      throw new FormatError('empty', 'no segments: the file is empty', { source: this.options.source });
    return segments;
  }

  private drain(atEnd: boolean): TokenizedSegment[] {
    const segments: TokenizedSegment[] = [];
    for (;;) {
      this.skipLayout();
      if (this.position >= this.buffer.length) break;
      const segment = this.next(atEnd);
      if (segment === undefined) {
        if (this.buffer.length - this.position > this.options.maxSegmentLength) {
          throw this.error(
            'too-long',
            `no segment terminator within ${this.options.maxSegmentLength} characters: wrong delimiters, a missing terminator, or raise maxSegmentLength`,
          );
        }
        break;
      }
      segments.push(segment);
    }
    return segments;
  }

  /** The segment at the position, advancing past it and its terminator; undefined when more text is needed. */
  protected abstract next(atEnd: boolean): TokenizedSegment | undefined;

  /** Skips line breaks (and blanks) between segments, counting lines. */
  protected skipLayout(): void {
    const { buffer } = this;
    let position = this.position;
    for (;;) {
      const code = buffer.charCodeAt(position);
      if (code === 10) this.line++;
      else if (code !== 13 && code !== 32 && code !== 9) break;
      position++;
    }
    this.position = position;
  }

  /** Records a segment found at the position whose raw text (without terminator) is `raw`. */
  protected take(raw: string, terminatorLength: number, value: TokenizedSegment['value']): TokenizedSegment {
    if (raw.length > this.options.maxSegmentLength) {
      throw this.error(
        'too-long',
        `a segment of ${raw.length} characters, longer than ${this.options.maxSegmentLength}`,
      );
    }
    this.index++;
    const segment: TokenizedSegment = { value, segment: this.index, line: this.line };
    this.line += countLineBreaks(raw);
    if (this.delimiters?.segment === '\n') this.line++;
    this.position += raw.length + terminatorLength;
    return segment;
  }

  /** What follows the first terminator: the layout a generator should reproduce. */
  protected layoutAfter(index: number): EdiDelimiters['lineBreak'] {
    if (this.buffer.startsWith('\r\n', index)) return '\r\n';
    if (this.buffer.startsWith('\n', index)) return '\n';
    return '';
  }

  protected error(problem: FormatProblem, reason: string, tag?: string): FormatError {
    return new FormatError(problem, reason, {
      source: this.options.source,
      line: this.line,
      segment: this.index + 1,
      tag,
    });
  }
}

function countLineBreaks(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

/** A short, printable excerpt of text for messages. */
export function preview(text: string): string {
  const excerpt = text.length > 30 ? `${text.slice(0, 30)}…` : text;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: showing control characters is the point
  return JSON.stringify(excerpt.replace(/[\u0000-\u0008\u000E-\u001F\u007F-\u009F\uFFFD]/g, '·'));
}
