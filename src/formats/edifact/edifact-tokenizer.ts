import type { EdiDelimiters, EdiElement, TokenizedSegment } from '../edi/edi-model.ts';
import { preview, SegmentTokenizer } from '../edi/tokenizer-base.ts';

/**
 * UN/EDIFACT segments from a stream of text, read tolerantly: a UNA service string advice sets the
 * service characters (otherwise the defaults `:+.? '`), the release character `?` makes the next
 * character literal, and line breaks after terminators are layout. Values come out with release
 * characters removed. A UNA may start any interchange, not just the file.
 */

/** The service characters when no UNA says otherwise (ISO 9735). */
export const EDIFACT_DEFAULT_DELIMITERS: EdiDelimiters = {
  component: ':',
  element: '+',
  decimal: '.',
  release: '?',
  segment: "'",
  lineBreak: '',
  serviceStringAdvice: false,
};

export class EdifactTokenizer extends SegmentTokenizer {
  private advised: EdiDelimiters | undefined;
  /** The interchange's layout is still to be learnt from what follows its UNB. */
  private layoutPending = false;
  /** Index of the UNB the delimiters were set for (a UNB may be seen again when its text is incomplete). */
  private delimitersFor = 0;

  protected next(): TokenizedSegment | undefined {
    const { buffer, position } = this;
    if (buffer.startsWith('UNA', position)) return this.serviceStringAdvice();
    if (buffer.length - position < 3 && 'UNA'.startsWith(buffer.slice(position))) return undefined;
    const startsInterchange = buffer.startsWith('UNB', position) && this.delimitersFor !== this.index + 1;
    if (this.delimiters === undefined || startsInterchange) {
      if (buffer.length - position < 4) return undefined;
      if (!buffer.startsWith('UNB', position) && this.delimiters === undefined) {
        throw this.error(
          'malformed',
          `an EDIFACT interchange starts with UNA or UNB, this starts with ${preview(buffer.slice(position, position + 20))}`,
        );
      }
      // A UNB without a UNA right before it uses the defaults.
      this.delimiters = this.advised ?? { ...EDIFACT_DEFAULT_DELIMITERS };
      this.layoutPending = this.advised === undefined;
      this.advised = undefined;
      this.delimitersFor = this.index + 1;
    }
    const found = this.segment(this.delimiters);
    return found !== undefined && found.value.tag === 'UNB'
      ? { ...found, delimiters: { ...this.delimiters } }
      : found;
  }

  private segment(delimiters: EdiDelimiters): TokenizedSegment | undefined {
    const { buffer, position } = this;
    const { release, segment: terminator } = delimiters;
    let end = buffer.indexOf(terminator, position);
    while (end !== -1 && release !== undefined && isReleased(buffer, end, release, position)) {
      end = buffer.indexOf(terminator, end + 1);
    }
    if (end === -1) return undefined;
    const raw = buffer.slice(position, end);
    if (this.layoutPending) {
      delimiters.lineBreak = this.layoutAfter(end + terminator.length);
      this.layoutPending = false;
    }
    const [tag, ...elements] = splitSegment(raw, delimiters);
    const tagText = typeof tag === 'string' ? tag : (tag?.[0] ?? '');
    if (!/^[A-Z][A-Z0-9]{2}$/.test(tagText)) {
      throw this.error(
        'malformed',
        `${preview(tagText)} is not an EDIFACT segment tag: a wrong service character (UNA), a missing release character, or binary data`,
      );
    }
    return this.take(raw, terminator.length, { tag: tagText, elements });
  }

  /** UNA + six characters: component, element, decimal, release, repetition (reserved), terminator. */
  private serviceStringAdvice(): TokenizedSegment | undefined {
    const { buffer, position } = this;
    if (buffer.length < position + 9) return undefined;
    const [component, element, decimal, release, repetition, terminator] = buffer.slice(
      position + 3,
      position + 9,
    );
    if (
      component === undefined ||
      element === undefined ||
      terminator === undefined ||
      release === undefined
    ) {
      return undefined;
    }
    const characters = [component, element, terminator, ...(release === ' ' ? [] : [release])];
    if (
      new Set(characters).size < characters.length ||
      characters.some((character) => /[A-Za-z0-9]/.test(character))
    ) {
      throw this.error(
        'malformed',
        `the UNA ${preview(buffer.slice(position, position + 9))} does not define distinct service characters`,
        'UNA',
      );
    }
    this.advised = {
      component,
      element,
      decimal,
      release: release === ' ' ? undefined : release,
      repetition: repetition === ' ' || repetition === undefined ? undefined : repetition,
      segment: terminator,
      lineBreak: this.layoutAfter(position + 9),
      serviceStringAdvice: true,
    };
    // The UNA is not a segment of the model: it is what `serviceStringAdvice` records.
    this.position += 9;
    this.skipLayout();
    return this.next();
  }
}

/** True when the character at `index` is escaped by an odd run of release characters before it. */
function isReleased(text: string, index: number, release: string, start: number): boolean {
  let count = 0;
  for (let at = index - 1; at >= start && text.charAt(at) === release; at--) count++;
  return count % 2 === 1;
}

/**
 * Splits a segment's text (without terminator) into tag and elements, removing release characters.
 * A segment without release characters takes the fast path of plain splits.
 */
export function splitSegment(raw: string, delimiters: EdiDelimiters): EdiElement[] {
  const { element, component, release } = delimiters;
  if (release === undefined || !raw.includes(release)) {
    return raw.split(element).map((part) => (part.includes(component) ? part.split(component) : part));
  }
  const elements: EdiElement[] = [];
  let components: string[] = [];
  let value = '';
  for (let index = 0; index < raw.length; index++) {
    const character = raw.charAt(index);
    if (character === release && index + 1 < raw.length) {
      index++;
      value += raw.charAt(index);
    } else if (character === component) {
      components.push(value);
      value = '';
    } else if (character === element) {
      components.push(value);
      elements.push(components.length === 1 ? (components[0] ?? '') : components);
      components = [];
      value = '';
    } else {
      value += character;
    }
  }
  components.push(value);
  elements.push(components.length === 1 ? (components[0] ?? '') : components);
  return elements;
}
