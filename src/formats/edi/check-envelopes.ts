import { FormatError } from '../format-error.ts';
import { type EdiInterchange, type EdiSegment, elementText } from './edi-model.ts';
import type { EnvelopeSyntax } from './envelope-reader.ts';

/**
 * Before anything is written: every trailer of the model agrees with its header and its contents.
 * Writers are strict — an interchange whose counts are wrong would be rejected by the partner (or
 * worse, half-processed), so it is refused here, naming the envelope, with the fix.
 *
 * @throws FormatError `unwritable`.
 */
export function checkEnvelopes(
  interchange: EdiInterchange,
  syntax: EnvelopeSyntax,
  destination: string,
): void {
  const { interchange: I, group: G, message: M } = syntax;
  const fail = (reason: string): never => {
    throw new FormatError(
      'unwritable',
      `${reason}; build trailers from the contents (buildX12Interchange, buildEdifactInterchange)`,
      {
        source: destination,
      },
    );
  };
  const expect = (
    trailer: EdiSegment,
    tag: string,
    count: number,
    header: EdiSegment,
    control: number,
    what: string,
  ) => {
    if (trailer.tag !== tag) fail(`${what} ends with ${JSON.stringify(trailer.tag)}, not ${tag}`);
    if (elementText(trailer, 1) !== String(count))
      fail(`${tag}01 of ${what} is ${JSON.stringify(elementText(trailer, 1))}, it holds ${count}`);
    if (elementText(trailer, 2) !== elementText(header, control)) {
      fail(
        `${tag}02 of ${what} is ${JSON.stringify(elementText(trailer, 2))}, ${header.tag}${String(control).padStart(2, '0')} is ${JSON.stringify(elementText(header, control))}`,
      );
    }
  };
  if (interchange.header.tag !== I.header)
    fail(`an interchange starts with ${I.header}, not ${JSON.stringify(interchange.header.tag)}`);
  if (interchange.groups.length > 0 && interchange.messages.length > 0)
    fail('an interchange holds groups or messages, not both');
  if (syntax.groupsRequired && interchange.messages.length > 0)
    fail(`every ${syntax.messageWord} must be in a ${G.header} group`);
  const ref = elementText(interchange.header, I.control);
  for (const group of interchange.groups) {
    if (group.header.tag !== G.header)
      fail(`a group starts with ${G.header}, not ${JSON.stringify(group.header.tag)}`);
    for (const message of group.messages)
      checkMessage(message.segments, `${syntax.messageWord} ${message.controlNumber}`);
    expect(
      group.trailer,
      G.trailer,
      group.messages.length,
      group.header,
      G.control,
      `group ${elementText(group.header, G.control)}`,
    );
  }
  for (const message of interchange.messages)
    checkMessage(message.segments, `${syntax.messageWord} ${message.controlNumber}`);
  expect(
    interchange.trailer,
    I.trailer,
    interchange.groups.length > 0 ? interchange.groups.length : interchange.messages.length,
    interchange.header,
    I.control,
    `interchange ${ref}`,
  );

  function checkMessage(segments: readonly EdiSegment[], what: string): void {
    const header = segments[0];
    const trailer = segments.at(-1);
    if (header === undefined || trailer === undefined || header.tag !== M.header)
      fail(`${what} does not start with ${M.header}`);
    else expect(trailer, M.trailer, segments.length, header, M.control, what);
    for (const inner of segments.slice(1, -1)) {
      if ([M.header, M.trailer, G.header, G.trailer, I.header, I.trailer].includes(inner.tag)) {
        fail(`${what} holds an envelope segment ${inner.tag} inside it`);
      }
    }
  }
}
