import { checkEnvelopes } from '../edi/check-envelopes.ts';
import { type EdiDelimiters, type EdiInterchange, type EdiSegment, segment } from '../edi/edi-model.ts';
import { FormatError } from '../format-error.ts';
import { X12_SYNTAX } from './read-x12.ts';

/**
 * Writing X12 from the model, strictly: the ISA's fields at their fixed widths, no delimiter inside
 * a value (X12 has no escape character), every trailer consistent with its contents. What the
 * reader accepts tolerantly, the writer never produces.
 */

/** Widths of ISA01…ISA16. */
export const ISA_WIDTHS = [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1] as const;

export interface GenerateX12Options {
  /** What to call the output in messages. */
  destination?: string;
  /** Line break after each terminator; default the interchange's own layout. */
  lineBreak?: EdiDelimiters['lineBreak'];
  /** Check that trailers agree with their contents (default true); false writes a received file as it was. */
  checkEnvelopes?: boolean;
}

/** The interchanges as X12 text. @throws FormatError `unwritable`, naming the segment and element. */
export function generateX12(
  interchanges: EdiInterchange | readonly EdiInterchange[],
  options: GenerateX12Options = {},
): string {
  const list = Array.isArray(interchanges) ? interchanges : [interchanges];
  let text = '';
  for (const interchange of list) {
    for (const line of x12Lines(interchange, options)) text += line;
  }
  return text;
}

/** The interchange segment by segment (each with its terminator), for writing to a stream. */
export function* x12Lines(interchange: EdiInterchange, options: GenerateX12Options = {}): Generator<string> {
  const destination = options.destination ?? 'output';
  if (interchange.standard !== 'x12') {
    throw new FormatError('unwritable', `an ${interchange.standard} interchange cannot be written as X12`, {
      source: destination,
    });
  }
  if (options.checkEnvelopes ?? true) checkEnvelopes(interchange, X12_SYNTAX, destination);
  const delimiters = interchange.delimiters;
  checkDelimiters(delimiters, destination);
  const end = `${delimiters.segment}${options.lineBreak ?? delimiters.lineBreak}`;
  let index = 0;
  const line = (value: EdiSegment): string => {
    index++;
    return `${formatSegment(value, delimiters, destination, index)}${end}`;
  };
  yield line(checkIsa(interchange.header, delimiters, destination));
  for (const group of interchange.groups) {
    yield line(group.header);
    for (const message of group.messages) {
      for (const value of message.segments) yield line(value);
    }
    yield line(group.trailer);
  }
  yield line(interchange.trailer);
}

function formatSegment(
  value: EdiSegment,
  delimiters: EdiDelimiters,
  destination: string,
  index: number,
): string {
  const parts = [value.tag];
  const forbidden = [delimiters.element, delimiters.segment, delimiters.component];
  value.elements.forEach((element, position) => {
    const components = typeof element === 'string' ? [element] : element;
    for (const component of components) {
      // ISA11 and ISA16 hold the repetition and component separators themselves.
      if (value.tag === 'ISA') continue;
      const clash = forbidden.find((character) => component.includes(character));
      if (clash !== undefined) {
        throw new FormatError(
          'unwritable',
          `${value.tag}${String(position + 1).padStart(2, '0')} holds the delimiter ${JSON.stringify(clash)}: X12 cannot escape it; remove it from the value`,
          { source: destination, segment: index, tag: value.tag },
        );
      }
    }
    parts.push(typeof element === 'string' ? element : element.join(delimiters.component));
  });
  return parts.join(delimiters.element);
}

function checkDelimiters(delimiters: EdiDelimiters, destination: string): void {
  const all = [delimiters.element, delimiters.component, delimiters.segment];
  if (
    all.some((character) => character.length !== 1 || /[A-Za-z0-9 ]/.test(character)) ||
    new Set(all).size < 3
  ) {
    throw new FormatError(
      'unwritable',
      `delimiters ${JSON.stringify(all)} are not three distinct separator characters`,
      {
        source: destination,
      },
    );
  }
}

function checkIsa(header: EdiSegment, delimiters: EdiDelimiters, destination: string): EdiSegment {
  if (header.elements.length !== 16) {
    throw new FormatError('unwritable', `the ISA has ${header.elements.length} elements, it must have 16`, {
      source: destination,
      segment: 1,
      tag: 'ISA',
    });
  }
  header.elements.forEach((element, index) => {
    const width = ISA_WIDTHS[index] ?? 0;
    if (typeof element !== 'string' || element.length !== width) {
      throw new FormatError(
        'unwritable',
        `ISA${String(index + 1).padStart(2, '0')} must be ${width} characters, it is ${JSON.stringify(element)}: pad it (buildX12Interchange does)`,
        { source: destination, segment: 1, tag: 'ISA' },
      );
    }
  });
  if (header.elements[15] !== delimiters.component) {
    throw new FormatError(
      'unwritable',
      `ISA16 ${JSON.stringify(header.elements[15])} is not the component separator ${JSON.stringify(delimiters.component)}`,
      {
        source: destination,
        segment: 1,
        tag: 'ISA',
      },
    );
  }
  return header;
}

/** A party in an ISA: qualifier (`ZZ`, `01`, `12` …) and identifier. */
export interface X12Party {
  qualifier: string;
  id: string;
}

export interface BuildX12TransactionSet {
  type: string;
  controlNumber: string;
  /** The segments between ST and SE. */
  body: EdiSegment[];
}

export interface BuildX12Group {
  /** GS01: `PO`, `PR`, `SH`, `IN`, `FA` … */
  functionalId: string;
  applicationSender: string;
  applicationReceiver: string;
  controlNumber: string;
  /** GS08, e.g. `004010`. */
  version: string;
  transactionSets: BuildX12TransactionSet[];
}

export interface BuildX12Interchange {
  sender: X12Party;
  receiver: X12Party;
  /** Nine digits at most; padded with zeros. */
  controlNumber: string;
  /** When the interchange is made; its date and time go to ISA09/10 and GS04/05 (UTC). */
  at: Date;
  /** ISA12, default `00401`. */
  version?: string;
  /** ISA15: `P` production (default) or `T` test. */
  usage?: 'P' | 'T';
  delimiters?: Partial<EdiDelimiters>;
  groups: BuildX12Group[];
}

/**
 * A complete interchange from its parts: ISA padded to width, GS/GE, ST/SE with counts and control
 * numbers computed, so the result passes {@link generateX12}'s checks by construction.
 */
export function buildX12Interchange(spec: BuildX12Interchange): EdiInterchange {
  const delimiters: EdiDelimiters = {
    segment: '~',
    element: '*',
    component: '>',
    lineBreak: '\n',
    ...spec.delimiters,
  };
  const version = spec.version ?? '00401';
  const iso = spec.at.toISOString();
  const date8 = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}`;
  const time4 = `${iso.slice(11, 13)}${iso.slice(14, 16)}`;
  const control = spec.controlNumber.padStart(9, '0');
  const header = segment(
    'ISA',
    '00',
    ''.padEnd(10),
    '00',
    ''.padEnd(10),
    spec.sender.qualifier.padEnd(2),
    spec.sender.id.padEnd(15),
    spec.receiver.qualifier.padEnd(2),
    spec.receiver.id.padEnd(15),
    date8.slice(2),
    time4,
    version >= '00402' ? (delimiters.repetition ?? '^') : 'U',
    version,
    control,
    '0',
    spec.usage ?? 'P',
    delimiters.component,
  );
  if (version >= '00402') delimiters.repetition = delimiters.repetition ?? '^';
  const groups = spec.groups.map((group) => {
    const gs = segment(
      'GS',
      group.functionalId,
      group.applicationSender,
      group.applicationReceiver,
      date8,
      time4,
      group.controlNumber,
      'X',
      group.version,
    );
    const messages = group.transactionSets.map((set) => {
      const st = segment('ST', set.type, set.controlNumber);
      const se = segment('SE', String(set.body.length + 2), set.controlNumber);
      return {
        type: set.type,
        controlNumber: set.controlNumber,
        segments: [st, ...set.body, se],
        position: { segment: 0, line: 0 },
      };
    });
    return {
      header: gs,
      messages,
      trailer: segment('GE', String(messages.length), group.controlNumber),
      position: { segment: 0, line: 0 },
    };
  });
  return {
    standard: 'x12',
    delimiters,
    header,
    groups,
    messages: [],
    trailer: segment('IEA', String(groups.length), control),
    position: { segment: 0, line: 0 },
  };
}
