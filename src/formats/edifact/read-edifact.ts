import type { ByteInput } from '../byte-source.ts';
import { componentText, type EdiEvent, type EdiInterchange, type EdiSegment } from '../edi/edi-model.ts';
import type { EnvelopeSyntax } from '../edi/envelope-reader.ts';
import { collectInterchanges, type EdiDialect, type ReadEdiOptions, readEdi } from '../edi/read-edi.ts';
import type { FormatWarning } from '../format-error.ts';
import { edifactCharset, firstOutside, sniffSyntaxIdentifier } from './edifact-charset.ts';
import { EdifactTokenizer } from './edifact-tokenizer.ts';

/** EDIFACT's envelopes: UNB05/UNZ02, UNG05/UNE02, UNH01/UNT02; groups optional. */
export const EDIFACT_SYNTAX: EnvelopeSyntax = {
  standard: 'edifact',
  interchange: { header: 'UNB', trailer: 'UNZ', control: 5 },
  group: { header: 'UNG', trailer: 'UNE', control: 5 },
  message: { header: 'UNH', trailer: 'UNT', control: 1, type: 2 },
  groupsRequired: false,
  messageWord: 'message',
};

/** Charsets whose bytes are not UTF-8 nor Latin-1: decoded as declared unless told otherwise. */
const DECODE_AS_DECLARED = new Set(['UNOD', 'UNOE', 'UNOF']);

/**
 * The envelope events of an EDIFACT file (ORDERS, ORDRSP, DESADV, INVOIC, CONTRL …), messages one
 * at a time. Read tolerantly: UNA or default service characters, release characters, line breaks
 * between segments, and content outside the declared charset (UNOA with lower case, UNOC holding
 * UTF-8) accepted with a warning naming the segment.
 *
 * @throws FormatError `control` when a count or reference disagrees (UNB/UNZ, UNG/UNE, UNH/UNT),
 *   `truncated` when a trailer is missing, `malformed`, `too-long`, `encoding`, naming the segment
 *   and line. With `control: 'report'` control problems become issues instead.
 */
export async function* readEdifact(input: ByteInput, options: ReadEdiOptions = {}): AsyncGenerator<EdiEvent> {
  let fellBackToLatin1 = false;
  let declared = '';
  const warn = (warning: FormatWarning): void => options.onWarning?.(warning);
  const dialect: EdiDialect = {
    syntax: EDIFACT_SYNTAX,
    tokenizer: (tokenizerOptions) => new EdifactTokenizer(tokenizerOptions),
    encodingFor: (head) => {
      declared = sniffSyntaxIdentifier(head.toString('latin1')) ?? '';
      return DECODE_AS_DECLARED.has(declared) ? edifactCharset(declared).encoding : undefined;
    },
  };
  const events = readEdi(input, dialect, {
    ...options,
    onWarning: (warning) => {
      fellBackToLatin1 = true;
      // Latin-1 is what UNOC declares: reading it so is no news.
      if (declared !== 'UNOC') warn(warning);
    },
  });
  let checked = false;
  let syntaxIdentifier = '';
  let oneSegmentPerLine = false;
  for await (const event of events) {
    if (event.kind === 'interchange') {
      syntaxIdentifier = componentText(event.header, 1, 1);
      oneSegmentPerLine = event.delimiters.lineBreak !== '';
      checked = syntaxIdentifier === 'UNOW' || syntaxIdentifier === 'UNOY';
    } else if (event.kind === 'message' && !checked) {
      const finding = charsetFinding(event.message.segments, syntaxIdentifier, fellBackToLatin1);
      if (finding !== undefined) {
        checked = true;
        const { line, segment } = event.message.position;
        warn({
          message: finding.message,
          position: {
            source: options.source ?? (typeof input === 'string' ? input : 'input'),
            // Lines are exact when the file puts one segment on each line, as most do.
            line: oneSegmentPerLine ? line + finding.index : undefined,
            segment: segment + finding.index,
            tag: finding.tag,
          },
        });
      }
    }
    yield event;
  }
}

/** Every interchange of an EDIFACT file as one model (see {@link readEdifact} for streaming). */
export function parseEdifact(input: ByteInput, options: ReadEdiOptions = {}): Promise<EdiInterchange[]> {
  return collectInterchanges(readEdifact(input, options));
}

interface CharsetFinding {
  message: string;
  tag: string;
  /** Index of the segment within its message (0 = UNH). */
  index: number;
}

/** The first value that does not keep to the declared charset, described. */
function charsetFinding(
  segments: readonly EdiSegment[],
  declared: string,
  latin1: boolean,
): CharsetFinding | undefined {
  const charset = edifactCharset(declared);
  for (const [index, value] of segments.entries()) {
    for (const element of value.elements) {
      for (const text of typeof element === 'string' ? [element] : element) {
        const outside = firstOutside(text, charset);
        const nonAscii = latin1 ? undefined : /[\u0080-\uFFFF]/.exec(text)?.[0];
        const character = outside ?? nonAscii;
        if (character === undefined) continue;
        const readAs = latin1 ? 'ISO 8859-1' : 'UTF-8';
        const message =
          outside === undefined
            ? `UNB declares ${charset.description} but the bytes are UTF-8 (${JSON.stringify(character)}): read as UTF-8`
            : `UNB declares ${charset.description} but ${value.tag} holds ${JSON.stringify(character)}, outside it: read as ${readAs}, kept as sent`;
        return { message, tag: value.tag, index };
      }
    }
  }
  return undefined;
}
