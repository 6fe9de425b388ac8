import {
  type EdiInterchange,
  type EdiSegment,
  type EnvelopeIssue,
  type EnvelopeIssueCode,
  elementText,
  segment,
} from '../edi/edi-model.ts';
import { buildX12Interchange } from './generate-x12.ts';

/**
 * The X12 997 functional acknowledgement for what was received: one 997 per functional group,
 * each with AK1 (the group), AK2/AK5 per transaction set (accepted, or rejected with its codes) and
 * AK9 (the group's verdict and counts). Read the received file with `control: 'report'` so its
 * problems arrive as issues to acknowledge instead of as an exception.
 */

/** AK502… codes (X12 element 718) for what the envelope reader finds. */
const SET_ERROR_CODES: Partial<Record<EnvelopeIssueCode, string>> = {
  'missing-trailer': '2',
  'control-number': '3',
  'segment-count': '4',
};

/** AK905… codes (X12 element 716). */
const GROUP_ERROR_CODES: Partial<Record<EnvelopeIssueCode, string>> = {
  'missing-trailer': '3',
  'control-number': '4',
  'message-count': '5',
};

export interface Build997Options {
  /** ISA13 of the acknowledgement's interchange. */
  interchangeControlNumber: string;
  /** GS06 of its group; default the interchange control number without leading zeros. */
  groupControlNumber?: string;
  /** When it is made. */
  at: Date;
  /** Usage indicator; default the received interchange's ISA15. */
  usage?: 'P' | 'T';
}

/**
 * The 997 interchange acknowledging `received` (one interchange, read with `control: 'report'`),
 * from its receiver back to its sender.
 */
export function build997(received: EdiInterchange, options: Build997Options): EdiInterchange {
  const isa = received.header;
  const firstGroup = received.groups[0]?.header;
  const version = firstGroup === undefined ? '004010' : elementText(firstGroup, 8);
  const transactionSets = received.groups.map((group, index) => {
    const body: EdiSegment[] = [];
    const ak1 = [elementText(group.header, 1), elementText(group.header, 6)];
    if (elementText(group.header, 8).startsWith('005')) ak1.push(elementText(group.header, 8));
    body.push(segment('AK1', ...ak1));
    let accepted = 0;
    for (const message of group.messages) {
      body.push(segment('AK2', message.type, message.controlNumber));
      const codes = errorCodes(message.issues, SET_ERROR_CODES);
      if (codes.length === 0) accepted++;
      body.push(segment('AK5', codes.length === 0 ? 'A' : 'R', ...codes.slice(0, 5)));
    }
    const groupCodes = errorCodes(group.issues, GROUP_ERROR_CODES);
    const received = group.messages.length;
    const verdict = groupCodes.length > 0 || accepted === 0 ? 'R' : accepted < received ? 'P' : 'A';
    const declared = elementText(group.trailer, 1);
    body.push(
      segment(
        'AK9',
        verdict,
        /^\d+$/.test(declared) ? declared : String(received),
        String(received),
        String(accepted),
        ...groupCodes.slice(0, 5),
      ),
    );
    return { type: '997', controlNumber: String(index + 1).padStart(4, '0'), body };
  });
  const usage = options.usage ?? (elementText(isa, 15) === 'T' ? 'T' : 'P');
  return buildX12Interchange({
    sender: { qualifier: elementText(isa, 7).trim(), id: elementText(isa, 8).trim() },
    receiver: { qualifier: elementText(isa, 5).trim(), id: elementText(isa, 6).trim() },
    controlNumber: options.interchangeControlNumber,
    at: options.at,
    version: elementText(isa, 12) || '00401',
    usage,
    delimiters: { ...received.delimiters },
    groups: [
      {
        functionalId: 'FA',
        applicationSender: firstGroup === undefined ? elementText(isa, 8).trim() : elementText(firstGroup, 3),
        applicationReceiver:
          firstGroup === undefined ? elementText(isa, 6).trim() : elementText(firstGroup, 2),
        controlNumber: options.groupControlNumber ?? String(Number(options.interchangeControlNumber)),
        version,
        transactionSets,
      },
    ],
  });
}

function errorCodes(
  issues: readonly EnvelopeIssue[] | undefined,
  table: Partial<Record<EnvelopeIssueCode, string>>,
): string[] {
  const codes = new Set<string>();
  for (const issue of issues ?? []) codes.add(table[issue.code] ?? (table === SET_ERROR_CODES ? '5' : '6'));
  return [...codes];
}
