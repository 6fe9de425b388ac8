import { FormatError, type FormatProblem } from '../format-error.ts';
import {
  type EdiEvent,
  type EdiMessage,
  type EdiSegment,
  type EdiStandard,
  type EnvelopeIssue,
  type EnvelopeIssueCode,
  elementText,
  type SegmentPosition,
  type TokenizedSegment,
} from './edi-model.ts';

/**
 * The envelope rules X12 and EDIFACT share, as data: which tags open and close an interchange, a
 * group and a message, which element holds the control number, and that every trailer repeats the
 * header's control number (element 2) after a count (element 1). {@link readEnvelopes} applies
 * them to a stream of segments and yields messages one at a time.
 */
export interface EnvelopeSyntax {
  standard: EdiStandard;
  interchange: { header: string; trailer: string; control: number };
  group: { header: string; trailer: string; control: number };
  message: { header: string; trailer: string; control: number; type: number };
  /** X12 puts every transaction set in a functional group; EDIFACT's groups are optional. */
  groupsRequired: boolean;
  /** What a message is called in messages: `transaction set`, `message`. */
  messageWord: string;
}

/** `strict` (default): a control problem is a FormatError. `report`: it is attached to the envelope as an issue, and reading goes on — what an acknowledgement needs. */
export type ControlPolicy = 'strict' | 'report';

export interface EnvelopeReaderOptions {
  source: string;
  control: ControlPolicy;
}

interface OpenInterchange {
  header: EdiSegment;
  position: SegmentPosition;
  groups: number;
  messages: number;
  issues: EnvelopeIssue[];
}

interface OpenGroup {
  header: EdiSegment;
  position: SegmentPosition;
  messages: number;
  issues: EnvelopeIssue[];
}

interface OpenMessage {
  header: EdiSegment;
  position: SegmentPosition;
  segments: EdiSegment[];
  issues: EnvelopeIssue[];
}

/**
 * Envelope events from batches of segments, control numbers and counts checked as each trailer
 * arrives. Memory: the message being read.
 */
export async function* readEnvelopes(
  batches: AsyncIterable<TokenizedSegment[]>,
  syntax: EnvelopeSyntax,
  options: EnvelopeReaderOptions,
): AsyncGenerator<EdiEvent> {
  const { interchange: I, group: G, message: M } = syntax;
  let interchange: OpenInterchange | undefined;
  let group: OpenGroup | undefined;
  let message: OpenMessage | undefined;
  let last: SegmentPosition = { segment: 0, line: 1 };
  /** Tag of the segment being handled (where a missing trailer is noticed). */
  let currentTag = '';

  const problem = (
    issues: EnvelopeIssue[],
    code: EnvelopeIssueCode,
    formatProblem: FormatProblem,
    text: string,
    at: SegmentPosition,
    tag: string,
  ): void => {
    if (options.control === 'strict') {
      throw new FormatError(formatProblem, text, {
        source: options.source,
        line: at.line,
        segment: at.segment,
        tag,
      });
    }
    issues.push({ code, message: text, position: at });
  };

  function closeMessage(at: SegmentPosition, why: string): EdiEvent | undefined {
    if (message === undefined) return undefined;
    const open = message;
    message = undefined;
    problem(
      open.issues,
      'missing-trailer',
      'truncated',
      `${syntax.messageWord} ${elementText(open.header, M.control)} (${M.header} at segment ${open.position.segment}) has no ${M.trailer}: ${why}`,
      at,
      currentTag,
    );
    return { kind: 'message', message: finishMessage(open) };
  }

  function closeGroup(at: SegmentPosition, why: string): EdiEvent | undefined {
    if (group === undefined) return undefined;
    const open = group;
    group = undefined;
    problem(
      open.issues,
      'missing-trailer',
      'truncated',
      `group ${elementText(open.header, G.control)} (${G.header} at segment ${open.position.segment}) has no ${G.trailer}: ${why}`,
      at,
      currentTag,
    );
    return {
      kind: 'group-end',
      trailer: { tag: G.trailer, elements: [] },
      messageCount: open.messages,
      issues: open.issues,
      position: at,
    };
  }

  function closeInterchange(at: SegmentPosition, why: string): EdiEvent | undefined {
    if (interchange === undefined) return undefined;
    const open = interchange;
    interchange = undefined;
    problem(
      open.issues,
      'missing-trailer',
      'truncated',
      `interchange ${elementText(open.header, I.control)} (${I.header} at segment ${open.position.segment}) has no ${I.trailer}: ${why}`,
      at,
      currentTag,
    );
    return {
      kind: 'interchange-end',
      trailer: { tag: I.trailer, elements: [] },
      count: open.groups > 0 ? open.groups : open.messages,
      issues: open.issues,
      position: at,
    };
  }

  /** Count (element 1) and control number (element 2) of a trailer against what was read. */
  function checkTrailer(
    issues: EnvelopeIssue[],
    trailer: EdiSegment,
    at: SegmentPosition,
    counted: number,
    what: string,
    countCode: EnvelopeIssueCode,
    header: EdiSegment,
    controlIndex: number,
  ): void {
    const declared = elementText(trailer, 1);
    if (!/^\d+$/.test(declared) || Number(declared) !== counted) {
      problem(
        issues,
        countCode,
        'control',
        `${trailer.tag}01 says ${JSON.stringify(declared)} ${what}, ${counted} were read: the count is wrong or ${what} were lost`,
        at,
        trailer.tag,
      );
    }
    const expected = elementText(header, controlIndex);
    const actual = elementText(trailer, 2);
    if (!sameControlNumber(expected, actual)) {
      problem(
        issues,
        'control-number',
        'control',
        `${trailer.tag}02 is ${JSON.stringify(actual)} but ${header.tag}${pad(controlIndex)} is ${JSON.stringify(expected)}: trailer and header do not belong together`,
        at,
        trailer.tag,
      );
    }
  }

  for await (const batch of batches) {
    for (const { value: segment, segment: index, line, delimiters } of batch) {
      const at: SegmentPosition = { segment: index, line };
      last = at;
      const tag = segment.tag;
      currentTag = tag;
      if (
        message !== undefined &&
        tag !== M.trailer &&
        tag !== M.header &&
        tag !== G.header &&
        tag !== G.trailer &&
        tag !== I.header &&
        tag !== I.trailer
      ) {
        message.segments.push(segment);
        continue;
      }
      if (tag === I.header) {
        const why = `a new ${I.header} starts at segment ${index}`;
        for (const event of [closeMessage(at, why), closeGroup(at, why), closeInterchange(at, why)]) {
          if (event !== undefined) yield event;
        }
        if (delimiters === undefined)
          throw new FormatError('malformed', `${I.header} without delimiters`, {
            source: options.source,
            ...at,
          });
        interchange = { header: segment, position: at, groups: 0, messages: 0, issues: [] };
        yield {
          kind: 'interchange',
          standard: syntax.standard,
          delimiters: { ...delimiters },
          header: segment,
          position: at,
        };
      } else if (tag === I.trailer) {
        if (interchange === undefined) {
          throw new FormatError('malformed', `${I.trailer} without ${I.header}: no interchange is open`, {
            source: options.source,
            line,
            segment: index,
            tag,
          });
        }
        const why = `${I.trailer} at segment ${index} closes the interchange first`;
        for (const event of [closeMessage(at, why), closeGroup(at, why)]) {
          if (event !== undefined) yield event;
        }
        const open = interchange;
        const counted = open.groups > 0 ? open.groups : open.messages;
        const what = open.groups > 0 || syntax.groupsRequired ? 'groups' : `${syntax.messageWord}s`;
        checkTrailer(
          open.issues,
          segment,
          at,
          counted,
          what,
          open.groups > 0 ? 'group-count' : 'message-count',
          open.header,
          I.control,
        );
        interchange = undefined;
        yield {
          kind: 'interchange-end',
          trailer: segment,
          count: counted,
          issues: open.issues,
          position: at,
        };
      } else if (tag === G.header) {
        if (interchange === undefined) {
          throw new FormatError('malformed', `${G.header} outside an interchange: no ${I.header} before it`, {
            source: options.source,
            line,
            segment: index,
            tag,
          });
        }
        const why = `a new ${G.header} starts at segment ${index}`;
        for (const event of [closeMessage(at, why), closeGroup(at, why)]) {
          if (event !== undefined) yield event;
        }
        if (interchange.messages > 0) {
          problem(
            interchange.issues,
            'mixed-groups-and-messages',
            'malformed',
            `${G.header} after ${syntax.messageWord}s outside groups: an interchange holds one or the other`,
            at,
            tag,
          );
        }
        interchange.groups++;
        group = { header: segment, position: at, messages: 0, issues: [] };
        yield { kind: 'group', header: segment, position: at };
      } else if (tag === G.trailer) {
        const closed = closeMessage(at, `${G.trailer} at segment ${index} closes the group first`);
        if (closed !== undefined) yield closed;
        if (group === undefined) {
          throw new FormatError('malformed', `${G.trailer} without ${G.header}: no group is open`, {
            source: options.source,
            line,
            segment: index,
            tag,
          });
        }
        const open = group;
        checkTrailer(
          open.issues,
          segment,
          at,
          open.messages,
          `${syntax.messageWord}s`,
          'message-count',
          open.header,
          G.control,
        );
        group = undefined;
        yield {
          kind: 'group-end',
          trailer: segment,
          messageCount: open.messages,
          issues: open.issues,
          position: at,
        };
      } else if (tag === M.header) {
        const closed = closeMessage(at, `a new ${M.header} starts at segment ${index}`);
        if (closed !== undefined) yield closed;
        if (interchange === undefined || (syntax.groupsRequired && group === undefined)) {
          throw new FormatError(
            'malformed',
            `${M.header} outside ${syntax.groupsRequired ? `a group: no ${G.header} before it` : `an interchange: no ${I.header} before it`}`,
            { source: options.source, line, segment: index, tag },
          );
        }
        if (group === undefined) {
          if (interchange.groups > 0) {
            problem(
              interchange.issues,
              'mixed-groups-and-messages',
              'malformed',
              `${M.header} outside a group in an interchange that has groups`,
              at,
              tag,
            );
          }
          interchange.messages++;
        } else {
          group.messages++;
        }
        message = { header: segment, position: at, segments: [segment], issues: [] };
      } else if (tag === M.trailer) {
        if (message === undefined) {
          throw new FormatError(
            'malformed',
            `${M.trailer} without ${M.header}: no ${syntax.messageWord} is open`,
            { source: options.source, line, segment: index, tag },
          );
        }
        const open = message;
        open.segments.push(segment);
        checkTrailer(
          open.issues,
          segment,
          at,
          open.segments.length,
          'segments',
          'segment-count',
          open.header,
          M.control,
        );
        message = undefined;
        yield { kind: 'message', message: finishMessage(open) };
      } else {
        const where =
          interchange === undefined ? 'outside any interchange' : `outside a ${syntax.messageWord}`;
        if (interchange === undefined) {
          throw new FormatError('malformed', `${tag} ${where}`, {
            source: options.source,
            line,
            segment: index,
            tag,
          });
        }
        problem(
          interchange.issues,
          'outside-envelope',
          'malformed',
          `${tag} ${where}: only envelope segments may stand there`,
          at,
          tag,
        );
      }
    }
  }
  const why = 'the file ends here; it is cut short';
  for (const event of [closeMessage(last, why), closeGroup(last, why), closeInterchange(last, why)]) {
    if (event !== undefined) yield event;
  }

  function finishMessage(open: OpenMessage): EdiMessage {
    const header = open.header;
    return {
      type: elementText(header, M.type),
      controlNumber: elementText(header, M.control),
      segments: open.segments,
      position: open.position,
      ...(open.issues.length > 0 ? { issues: open.issues } : {}),
    };
  }
}

/** Identical, or the same number with other zero padding (`000000020` and `20`): tolerant reading. */
function sameControlNumber(a: string, b: string): boolean {
  if (a === b) return true;
  return /^\d+$/.test(a) && /^\d+$/.test(b) && BigInt(a) === BigInt(b);
}

function pad(index: number): string {
  return String(index).padStart(2, '0');
}
