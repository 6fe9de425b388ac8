import {
  componentText,
  type EdiElement,
  type EdiInterchange,
  type EdiSegment,
  type EnvelopeIssue,
  type EnvelopeIssueCode,
  segment,
} from '../edi/edi-model.ts';
import { buildEdifactInterchange } from './generate-edifact.ts';

/**
 * The EDIFACT CONTRL message acknowledging what was received: UCI for the interchange, UCF per
 * group, UCM per message — action `7` (acknowledged) or `4` (rejected) with the syntax error code
 * (element 0085) of the first problem. Read the received file with `control: 'report'`.
 */

/** Action codes (0083). */
export const CONTRL_ACCEPTED = '7';
export const CONTRL_REJECTED = '4';

/** Syntax error codes (0085) for what the envelope reader finds. */
const ERROR_CODES: Record<EnvelopeIssueCode, string> = {
  'segment-count': '29',
  'message-count': '29',
  'group-count': '29',
  'control-number': '28',
  'missing-trailer': '13',
  'outside-envelope': '15',
  'mixed-groups-and-messages': '30',
};

export interface BuildContrlOptions {
  /** UNB05 of the acknowledgement's interchange, and its UNH01 unless `messageReference` says otherwise. */
  reference: string;
  messageReference?: string;
  at: Date;
}

/** The CONTRL interchange acknowledging `received` (one interchange, read with `control: 'report'`). */
export function buildContrl(received: EdiInterchange, options: BuildContrlOptions): EdiInterchange {
  const unb = received.header;
  const body: EdiSegment[] = [];
  const uci: EdiElement[] = [element(unb, 5), element(unb, 2), element(unb, 3), verdict(received.issues)];
  const uciError = firstError(received.issues);
  if (uciError !== undefined) uci.push(uciError);
  body.push(segment('UCI', ...uci));
  const acknowledge = (messages: EdiInterchange['messages']) => {
    for (const message of messages) {
      const header = message.segments[0];
      const ucm: EdiElement[] = [
        message.controlNumber,
        header === undefined ? message.type : element(header, 2),
        verdict(message.issues),
      ];
      const error = firstError(message.issues);
      if (error !== undefined) ucm.push(error);
      body.push(segment('UCM', ...ucm));
    }
  };
  for (const group of received.groups) {
    const ucf: EdiElement[] = [
      element(group.header, 5),
      element(group.header, 2),
      element(group.header, 3),
      verdict(group.issues),
    ];
    const error = firstError(group.issues);
    if (error !== undefined) ucf.push(error);
    body.push(segment('UCF', ...ucf));
    acknowledge(group.messages);
  }
  acknowledge(received.messages);
  const syntaxVersion = componentText(unb, 1, 2);
  return buildEdifactInterchange({
    syntax: [componentText(unb, 1, 1) || 'UNOC', syntaxVersion || '3'],
    sender: party(unb, 3),
    recipient: party(unb, 2),
    at: options.at,
    reference: options.reference,
    messages: [
      {
        identifier: Number(syntaxVersion) >= 4 ? ['CONTRL', '4', '1', 'UN'] : ['CONTRL', 'D', '3', 'UN'],
        reference: options.messageReference ?? options.reference,
        body,
      },
    ],
    delimiters: { ...received.delimiters },
  });
}

function element(value: EdiSegment, index: number): EdiElement {
  return value.elements[index - 1] ?? '';
}

function party(unb: EdiSegment, index: number): { id: string; qualifier?: string } {
  const id = componentText(unb, index, 1);
  const qualifier = componentText(unb, index, 2);
  return qualifier === '' ? { id } : { id, qualifier };
}

function verdict(issues: readonly EnvelopeIssue[] | undefined): string {
  return issues === undefined || issues.length === 0 ? CONTRL_ACCEPTED : CONTRL_REJECTED;
}

function firstError(issues: readonly EnvelopeIssue[] | undefined): string | undefined {
  const first = issues?.[0];
  return first === undefined ? undefined : ERROR_CODES[first.code];
}
