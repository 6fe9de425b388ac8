/**
 * One document model for X12 and UN/EDIFACT interchanges: interchange → groups → messages →
 * segments → elements → components. X12 calls a message a transaction set (ST…SE) and always puts
 * it in a functional group (GS…GE); EDIFACT's groups (UNG…UNE) are optional, so an EDIFACT
 * interchange may hold messages directly. Values are kept exactly as sent, release characters
 * removed: `0045000123` stays text, padding stays.
 */

/** An element: its text, or its components when it is composite (`C:D:96A` → `['C', 'D', '96A']`). */
export type EdiElement = string | string[];

/** A segment: tag and elements (the tag is not among the elements). */
export interface EdiSegment {
  tag: string;
  elements: EdiElement[];
}

/** Where a segment sits in its file: index from 1 over all segments, and its line. */
export interface SegmentPosition {
  segment: number;
  line: number;
}

/** A segment as the tokenizer found it. */
export interface TokenizedSegment extends SegmentPosition {
  value: EdiSegment;
  /** On an interchange header (ISA, UNB): the service characters it (or its UNA) set. */
  delimiters?: EdiDelimiters;
}

export const EDI_STANDARDS = ['x12', 'edifact'] as const;
export type EdiStandard = (typeof EDI_STANDARDS)[number];

/** The service characters of an interchange. */
export interface EdiDelimiters {
  segment: string;
  element: string;
  component: string;
  /** EDIFACT's release (escape) character; X12 has none. */
  release?: string | undefined;
  /** X12 ISA11 from version 00402 on (`^`); EDIFACT syntax 4's repetition separator. Kept, not split. */
  repetition?: string | undefined;
  /** EDIFACT's decimal mark from UNA. */
  decimal?: string | undefined;
  /** What follows each segment terminator in the file: nothing, or a line break for readability. */
  lineBreak: '' | '\n' | '\r\n';
  /** EDIFACT: the file starts with a UNA service string advice. */
  serviceStringAdvice?: boolean | undefined;
}

/** What a control check found wrong. Codes map to 997 AK5/AK9 and CONTRL error codes. */
export const ENVELOPE_ISSUES = [
  'segment-count',
  'message-count',
  'group-count',
  'control-number',
  'missing-trailer',
  'outside-envelope',
  'mixed-groups-and-messages',
] as const;
export type EnvelopeIssueCode = (typeof ENVELOPE_ISSUES)[number];

export interface EnvelopeIssue {
  code: EnvelopeIssueCode;
  /** One line naming the segment, position and what disagrees. */
  message: string;
  position: SegmentPosition;
}

/** An X12 transaction set (ST…SE) or an EDIFACT message (UNH…UNT), header and trailer included. */
export interface EdiMessage {
  /** `850`, `ORDERS`. */
  type: string;
  /** ST02 / UNH01. */
  controlNumber: string;
  segments: EdiSegment[];
  position: SegmentPosition;
  /** Only present when the control checks found something (reading with `control: 'report'`). */
  issues?: EnvelopeIssue[];
}

/** An X12 functional group (GS…GE) or an EDIFACT group (UNG…UNE). */
export interface EdiGroup {
  header: EdiSegment;
  messages: EdiMessage[];
  trailer: EdiSegment;
  position: SegmentPosition;
  issues?: EnvelopeIssue[];
}

/** An interchange (ISA…IEA, UNB…UNZ). */
export interface EdiInterchange {
  standard: EdiStandard;
  delimiters: EdiDelimiters;
  header: EdiSegment;
  groups: EdiGroup[];
  /** EDIFACT messages outside any group; always empty for X12. */
  messages: EdiMessage[];
  trailer: EdiSegment;
  position: SegmentPosition;
  issues?: EnvelopeIssue[];
}

/**
 * What a streaming reader yields, in file order: envelopes open, messages come one at a time,
 * envelopes close (after their control checks). A whole interchange need not fit in memory.
 */
export type EdiEvent =
  | {
      kind: 'interchange';
      standard: EdiStandard;
      delimiters: EdiDelimiters;
      header: EdiSegment;
      position: SegmentPosition;
    }
  | { kind: 'group'; header: EdiSegment; position: SegmentPosition }
  | { kind: 'message'; message: EdiMessage }
  | {
      kind: 'group-end';
      trailer: EdiSegment;
      messageCount: number;
      issues: EnvelopeIssue[];
      position: SegmentPosition;
    }
  | {
      kind: 'interchange-end';
      trailer: EdiSegment;
      /** Groups, or messages outside groups (EDIFACT without UNG). */
      count: number;
      issues: EnvelopeIssue[];
      position: SegmentPosition;
    };

/** Element `index` (1 = the first after the tag) as text: a composite's first component. */
export function elementText(segment: EdiSegment, index: number): string {
  const element = segment.elements[index - 1];
  if (element === undefined) return '';
  return typeof element === 'string' ? element : (element[0] ?? '');
}

/** Component `component` (from 1) of element `index` (from 1); a simple element is its own first component. */
export function componentText(segment: EdiSegment, index: number, component: number): string {
  const element = segment.elements[index - 1];
  if (element === undefined) return '';
  if (typeof element === 'string') return component === 1 ? element : '';
  return element[component - 1] ?? '';
}

/** A segment from a tag and elements, for generators: `segment('AK1', 'PO', '1421')`. */
export function segment(tag: string, ...elements: EdiElement[]): EdiSegment {
  return { tag, elements };
}
