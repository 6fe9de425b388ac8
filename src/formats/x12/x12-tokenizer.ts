import type { EdiDelimiters, EdiElement, TokenizedSegment } from '../edi/edi-model.ts';
import { preview, SegmentTokenizer } from '../edi/tokenizer-base.ts';

/**
 * X12 segments from a stream of text. The ISA header is fixed-width and defines the delimiters:
 * the element separator is its 4th character, the component separator its 16th element, the
 * segment terminator the character after that (a line break is a terminator like any other). The
 * ISA is found by counting separators, so an ISA whose fields are not padded to width is read too.
 * Line breaks after terminators are layout. Every ISA starts over with its own delimiters.
 */
export class X12Tokenizer extends SegmentTokenizer {
  protected next(): TokenizedSegment | undefined {
    const { buffer, position } = this;
    if (buffer.startsWith('ISA', position) && isSeparator(buffer.charAt(position + 3))) return this.header();
    if (buffer.length - position < 3 && 'ISA'.startsWith(buffer.slice(position))) return undefined;
    const delimiters = this.delimiters;
    if (delimiters === undefined) {
      throw this.error(
        'malformed',
        `an X12 interchange starts with ISA, this starts with ${preview(buffer.slice(position, position + 20))}`,
      );
    }
    const end = buffer.indexOf(delimiters.segment, position);
    if (end === -1) return undefined;
    const raw = buffer.slice(position, end);
    const parts = raw.split(delimiters.element);
    const tag = parts[0] ?? '';
    if (!/^[A-Z][A-Z0-9]{1,2}$/.test(tag)) {
      throw this.error(
        'malformed',
        `${preview(tag)} is not an X12 segment tag: the delimiters of the ISA do not fit the rest of the file, or it holds binary data`,
      );
    }
    const elements: EdiElement[] = [];
    const component = delimiters.component;
    for (let index = 1; index < parts.length; index++) {
      const part = parts[index] ?? '';
      elements.push(part.includes(component) ? part.split(component) : part);
    }
    return this.take(raw, 1, { tag, elements });
  }

  /** Reads an ISA: its delimiters first, then its 16 elements (never split into components). */
  private header(): TokenizedSegment | undefined {
    const { buffer, position } = this;
    const element = buffer.charAt(position + 3);
    let at = position + 3;
    for (let count = 1; count < 16; count++) {
      at = buffer.indexOf(element, at + 1);
      if (at === -1) return undefined;
    }
    if (buffer.length < at + 3) return undefined;
    const component = buffer.charAt(at + 1);
    const terminator = buffer.charAt(at + 2);
    if (
      !isSeparator(component) ||
      !isSeparator(terminator) ||
      new Set([element, component, terminator]).size < 3
    ) {
      throw this.error(
        'malformed',
        `the ISA does not define usable delimiters (element ${JSON.stringify(element)}, component ${JSON.stringify(component)}, terminator ${JSON.stringify(terminator)}): it is cut or its fields are misaligned`,
        'ISA',
      );
    }
    const raw = buffer.slice(position, at + 2);
    const elements = raw.split(element).slice(1);
    const version = elements[11] ?? '';
    const repetitionCandidate = elements[10] ?? '';
    const delimiters: EdiDelimiters = {
      segment: terminator,
      element,
      component,
      repetition: version >= '00402' && isSeparator(repetitionCandidate) ? repetitionCandidate : undefined,
      lineBreak: terminator === '\n' ? '' : this.layoutAfter(at + 3),
    };
    this.delimiters = delimiters;
    return { ...this.take(raw, 1, { tag: 'ISA', elements }), delimiters: { ...delimiters } };
  }
}

/** A delimiter is one character that is not a letter, digit or blank. */
function isSeparator(character: string): boolean {
  return character.length === 1 && !/[A-Za-z0-9 ]/.test(character);
}
