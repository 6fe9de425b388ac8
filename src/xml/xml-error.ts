/**
 * Why the hardened XML helpers refused a document. Each problem has one remedy, so callers (a WSDL
 * loader, a SOAP response reader) can turn it into their own error kind with the right hint.
 */
export const XML_PROBLEMS = [
  'too-large',
  'doctype',
  'malformed',
  'invalid-name',
  'invalid-character',
] as const;
export type XmlProblem = (typeof XML_PROBLEMS)[number];

/** Where in a document a problem sits; line and column count from 1. */
export interface XmlPosition {
  /** What the text is: a file path, a URL, "the answer of GetOrder". */
  source?: string | undefined;
  line?: number | undefined;
  column?: number | undefined;
}

/**
 * A document the XML helpers refuse to read or to write. The message names the source and the
 * line (`answer.xml:2:1: <!DOCTYPE refused: …`); `reason` is the same without the position, for
 * callers that report the position their own way (a ConfigError's file and line).
 */
export class XmlError extends Error {
  override readonly name = 'XmlError';
  readonly problem: XmlProblem;
  /** The message without its position prefix. */
  readonly reason: string;
  readonly source: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(problem: XmlProblem, reason: string, where: XmlPosition = {}, cause?: unknown) {
    const place =
      where.source !== undefined || where.line !== undefined ? `${describePosition(where)}: ` : '';
    super(`${place}${reason}`, cause === undefined ? undefined : { cause });
    this.problem = problem;
    this.reason = reason;
    this.source = where.source;
    this.line = where.line;
    this.column = where.column;
  }
}

/** `source:line:column`, or as much of it as is known (`XML` stands in for an unnamed source). */
export function describePosition(where: XmlPosition): string {
  const place = where.source ?? 'XML';
  if (where.line === undefined) return place;
  return where.column === undefined ? `${place}:${where.line}` : `${place}:${where.line}:${where.column}`;
}
