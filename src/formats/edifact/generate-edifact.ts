import { Buffer } from 'node:buffer';
import iconv from 'iconv-lite';
import { checkEnvelopes } from '../edi/check-envelopes.ts';
import {
  componentText,
  type EdiDelimiters,
  type EdiInterchange,
  type EdiMessage,
  type EdiSegment,
  segment,
} from '../edi/edi-model.ts';
import { FormatError } from '../format-error.ts';
import { edifactCharset, firstOutside } from './edifact-charset.ts';
import { EDIFACT_DEFAULT_DELIMITERS } from './edifact-tokenizer.ts';
import { EDIFACT_SYNTAX } from './read-edifact.ts';

/**
 * Writing EDIFACT from the model, strictly: service characters in values released with `?`,
 * every character inside the charset UNB declares, every trailer consistent with its contents. A
 * UNA is written when the interchange had one or uses other service characters than the defaults.
 */

export interface GenerateEdifactOptions {
  destination?: string;
  /** Line break after each terminator; default the interchange's own layout. */
  lineBreak?: EdiDelimiters['lineBreak'];
  /**
   * `strict` (default): a character outside the declared charset is an error. `keep`: write the
   * values as they are — for handing on a file as received (it then keeps its charset problem).
   */
  charset?: 'strict' | 'keep';
  /** Check that trailers agree with their contents (default true); false writes a received file as it was. */
  checkEnvelopes?: boolean;
}

/** The interchanges as EDIFACT text. @throws FormatError `unwritable`, naming segment and element. */
export function generateEdifact(
  interchanges: EdiInterchange | readonly EdiInterchange[],
  options: GenerateEdifactOptions = {},
): string {
  const list = Array.isArray(interchanges) ? interchanges : [interchanges];
  let text = '';
  for (const interchange of list) {
    for (const line of edifactLines(interchange, options)) text += line;
  }
  return text;
}

/** The interchange segment by segment (each with its terminator), for writing to a stream. */
export function* edifactLines(
  interchange: EdiInterchange,
  options: GenerateEdifactOptions = {},
): Generator<string> {
  const destination = options.destination ?? 'output';
  if (interchange.standard !== 'edifact') {
    throw new FormatError(
      'unwritable',
      `an ${interchange.standard} interchange cannot be written as EDIFACT`,
      { source: destination },
    );
  }
  if (options.checkEnvelopes ?? true) checkEnvelopes(interchange, EDIFACT_SYNTAX, destination);
  const delimiters = interchange.delimiters;
  const end = `${delimiters.segment}${options.lineBreak ?? delimiters.lineBreak}`;
  const syntaxIdentifier = componentText(interchange.header, 1, 1);
  const charset = edifactCharset(syntaxIdentifier);
  const strictCharset = (options.charset ?? 'strict') === 'strict';
  let index = 0;
  const line = (value: EdiSegment): string => {
    index++;
    return `${formatSegment(value, delimiters, index, destination, (text, element) => {
      if (!strictCharset) return;
      const outside = firstOutside(text, charset);
      if (outside !== undefined) {
        throw new FormatError(
          'unwritable',
          `${value.tag}${String(element).padStart(2, '0')} holds ${JSON.stringify(outside)}, which ${charset.description} does not allow: declare UNOC/UNOW in UNB01 or replace it`,
          { source: destination, segment: index, tag: value.tag },
        );
      }
    })}${end}`;
  };
  if (needsServiceStringAdvice(delimiters)) {
    yield `UNA${delimiters.component}${delimiters.element}${delimiters.decimal ?? '.'}${delimiters.release ?? ' '}${delimiters.repetition ?? ' '}${delimiters.segment}${options.lineBreak ?? delimiters.lineBreak}`;
  }
  yield line(interchange.header);
  for (const group of interchange.groups) {
    yield line(group.header);
    for (const message of group.messages) for (const value of message.segments) yield line(value);
    yield line(group.trailer);
  }
  for (const message of interchange.messages) for (const value of message.segments) yield line(value);
  yield line(interchange.trailer);
}

/** The bytes of generated text in the encoding UNB01 declares (UNOA/UNOB as ASCII, UNOC as Latin-1 …). */
export function encodeEdifact(text: string, syntaxIdentifier: string): Buffer {
  const { encoding } = edifactCharset(syntaxIdentifier);
  return encoding === 'utf-8' ? Buffer.from(text, 'utf8') : iconv.encode(text, encoding);
}

function needsServiceStringAdvice(delimiters: EdiDelimiters): boolean {
  if (delimiters.serviceStringAdvice === true) return true;
  const defaults = EDIFACT_DEFAULT_DELIMITERS;
  return (
    delimiters.component !== defaults.component ||
    delimiters.element !== defaults.element ||
    delimiters.release !== defaults.release ||
    delimiters.segment !== defaults.segment ||
    (delimiters.decimal ?? '.') !== defaults.decimal
  );
}

function formatSegment(
  value: EdiSegment,
  delimiters: EdiDelimiters,
  index: number,
  destination: string,
  checkCharset: (text: string, element: number) => void,
): string {
  const special = [
    delimiters.component,
    delimiters.element,
    delimiters.segment,
    ...(delimiters.release === undefined ? [] : [delimiters.release]),
  ];
  const releaseValue = (text: string, element: number): string => {
    checkCharset(text, element);
    if (!special.some((character) => text.includes(character))) return text;
    if (delimiters.release === undefined) {
      throw new FormatError(
        'unwritable',
        `${value.tag}${String(element).padStart(2, '0')} holds a service character and the UNA declares no release character`,
        {
          source: destination,
          segment: index,
          tag: value.tag,
        },
      );
    }
    const release = delimiters.release;
    let escaped = '';
    for (const character of text)
      escaped += special.includes(character) ? `${release}${character}` : character;
    return escaped;
  };
  let text = value.tag;
  value.elements.forEach((element, position) => {
    const number = position + 1;
    text += delimiters.element;
    text +=
      typeof element === 'string'
        ? releaseValue(element, number)
        : element.map((component) => releaseValue(component, number)).join(delimiters.component);
  });
  return text;
}

/** A party in UNB: identification and code qualifier (`14` GLN, `ZZZ` mutually defined …). */
export interface EdifactParty {
  id: string;
  qualifier?: string;
}

export interface BuildEdifactMessage {
  /** UNH02: type, version, release, agency, association code: `['ORDERS', 'D', '96A', 'UN', 'EAN008']`. */
  identifier: string[];
  reference: string;
  /** The segments between UNH and UNT. */
  body: EdiSegment[];
}

export interface BuildEdifactInterchange {
  /** UNB01: syntax identifier and version, e.g. `['UNOC', '3']`. */
  syntax: [string, string];
  sender: EdifactParty;
  recipient: EdifactParty;
  /** When the interchange is made; UNB04 as YYMMDD:HHMM (UTC). */
  at: Date;
  reference: string;
  messages: BuildEdifactMessage[];
  delimiters?: Partial<EdiDelimiters>;
}

/** A complete interchange (without groups) whose UNT/UNZ counts and references are computed. */
export function buildEdifactInterchange(spec: BuildEdifactInterchange): EdiInterchange {
  const iso = spec.at.toISOString();
  const date = `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}`;
  const time = `${iso.slice(11, 13)}${iso.slice(14, 16)}`;
  const party = (p: EdifactParty) => (p.qualifier === undefined ? p.id : [p.id, p.qualifier]);
  const header = segment(
    'UNB',
    spec.syntax,
    party(spec.sender),
    party(spec.recipient),
    [date, time],
    spec.reference,
  );
  const messages: EdiMessage[] = spec.messages.map((message) => ({
    type: message.identifier[0] ?? '',
    controlNumber: message.reference,
    segments: [
      segment('UNH', message.reference, message.identifier),
      ...message.body,
      segment('UNT', String(message.body.length + 2), message.reference),
    ],
    position: { segment: 0, line: 0 },
  }));
  return {
    standard: 'edifact',
    delimiters: { ...EDIFACT_DEFAULT_DELIMITERS, lineBreak: '\n', ...spec.delimiters },
    header,
    groups: [],
    messages,
    trailer: segment('UNZ', String(messages.length), spec.reference),
    position: { segment: 0, line: 0 },
  };
}
