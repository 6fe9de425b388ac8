/**
 * Why a file exchanged with an ERP was refused, and where. Every reader and writer in src/formats
 * throws this one error; its message is already the one line a person needs —
 * `orders.edi:34 (segment 34 SE): …` — and the fields are there for callers that rephrase it.
 */
export const FORMAT_PROBLEMS = [
  /** Nothing to read: an empty file, or only whitespace. */
  'empty',
  /** The bytes are not text in the expected encoding (invalid UTF-8, NUL bytes, binary). */
  'encoding',
  /** A record, segment or token longer than the configured maximum (a missing delimiter, mostly). */
  'too-long',
  /** Not the syntax of the format: unbalanced quotes, a segment without tag, unclosed XML. */
  'malformed',
  /** Envelope control numbers or counts that disagree (ISA/IEA, GS/GE, ST/SE, UNB/UNZ, UNG/UNE, UNH/UNT). */
  'control',
  /** The file ends inside an interchange, group, message or record. */
  'truncated',
  /** A DTD: erpbridge reads no DOCTYPE (entities could expand or fetch files). */
  'doctype',
  /** XML nested deeper than the configured maximum. */
  'too-deep',
  /** A format, encoding or option erpbridge does not handle. */
  'unsupported',
  /** A value the writer refuses to emit (a delimiter inside a value, a character outside the charset). */
  'unwritable',
] as const;
export type FormatProblem = (typeof FORMAT_PROBLEMS)[number];

/** Where in a file a problem sits. Lines and segments count from 1. */
export interface FormatPosition {
  /** The file as the caller named it, or a description of the stream ("stdin"). */
  source?: string | undefined;
  line?: number | undefined;
  /** Index of the segment in the file (X12, EDIFACT), from 1. */
  segment?: number | undefined;
  /** The segment's tag (`SE`, `UNT`) or the element/record name. */
  tag?: string | undefined;
  /** Byte offset in the file, from 0, for encoding problems. */
  byte?: number | undefined;
}

/** A refused file: `problem` says what kind of fix it needs, the message says which. */
export class FormatError extends Error {
  override readonly name = 'FormatError';
  readonly problem: FormatProblem;
  /** The message without the position prefix. */
  readonly reason: string;
  readonly position: FormatPosition;

  constructor(problem: FormatProblem, reason: string, position: FormatPosition = {}, cause?: unknown) {
    super(`${describeFormatPosition(position)}: ${reason}`, cause === undefined ? undefined : { cause });
    this.problem = problem;
    this.reason = reason;
    this.position = position;
  }
}

/**
 * `orders.edi:34 (segment 34 SE)`, `orders.csv:57`, `orders.edi (segment 3 ST)`, `orders.csv (byte 812)`:
 * as much of the position as is known, source first.
 */
export function describeFormatPosition(position: FormatPosition): string {
  const source = position.source ?? 'input';
  const place = position.line === undefined ? source : `${source}:${position.line}`;
  const details: string[] = [];
  if (position.segment !== undefined) {
    details.push(`segment ${position.segment}${position.tag === undefined ? '' : ` ${position.tag}`}`);
  } else if (position.tag !== undefined) {
    details.push(position.tag);
  }
  if (position.byte !== undefined) details.push(`byte ${position.byte}`);
  return details.length === 0 ? place : `${place} (${details.join(', ')})`;
}

/** The same error with a line added (a tokenizer knows the line where the decoder only knew the byte). */
export function withLine(error: FormatError, line: number): FormatError {
  if (error.position.line !== undefined) return error;
  return new FormatError(error.problem, error.reason, { ...error.position, line }, error.cause);
}

/**
 * Something read tolerantly that a person may want to know: a charset the file does not keep to,
 * a byte sequence read as Latin-1. Reading goes on.
 */
export interface FormatWarning {
  message: string;
  position: FormatPosition;
}

/** A warning with its position in front, as one line. */
export function describeWarning(warning: FormatWarning): string {
  return `${describeFormatPosition(warning.position)}: ${warning.message}`;
}

/** Where warnings go while a file is read; the readers default to collecting nothing. */
export type WarningSink = (warning: FormatWarning) => void;
