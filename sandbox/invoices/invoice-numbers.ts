import type { Prng } from '../prng.ts';

/** How one supplier numbers its invoices. */
export interface InvoiceNumbering {
  /** The number of the `sequence`-th invoice, dated in `year`. */
  format(sequence: number, year: number): string;
  /** The first sequence number the supplier's invoices in the sandbox start from. */
  start: number;
}

const SCHEMES: readonly ((sequence: number, year: number) => string)[] = [
  (sequence) => `INV-${String(sequence).padStart(6, '0')}`,
  (sequence, year) => `RE${year}-${String(sequence).padStart(5, '0')}`,
  (sequence) => String(90_000_000 + sequence),
  (sequence, year) => `F${String(year).slice(2)}/${String(sequence).padStart(5, '0')}`,
  (sequence) => `SI-${String(sequence).padStart(7, '0')}`,
  (sequence) => `00${String(sequence).padStart(6, '0')}`,
];

/** Draws a supplier's numbering scheme and where its sequence starts. */
export function drawNumbering(prng: Prng): InvoiceNumbering {
  const format = prng.pick(SCHEMES);
  return { format, start: prng.int(100, 9000) };
}

/** What a duplicate's number looks like next to the original's. */
export const DUPLICATE_NUMBER_VARIANTS = [
  'same',
  'leading-zeros',
  'suffix',
  'look-alike',
  'separator',
  'typo',
] as const;
export type DuplicateNumberVariant = (typeof DUPLICATE_NUMBER_VARIANTS)[number];

const VARIANT_WEIGHTS: Readonly<Record<DuplicateNumberVariant, number>> = {
  same: 15,
  'leading-zeros': 20,
  suffix: 20,
  'look-alike': 15,
  separator: 15,
  typo: 15,
};

const SUFFIXES = ['-1', '/A', '-DUP', ' COPY', 'a', '-2', 'R'] as const;
const LOOK_ALIKES: readonly [string, string][] = [
  ['0', 'O'],
  ['1', 'I'],
  ['5', 'S'],
  ['8', 'B'],
];

function pickVariant(prng: Prng): DuplicateNumberVariant {
  const total = DUPLICATE_NUMBER_VARIANTS.reduce((sum, variant) => sum + VARIANT_WEIGHTS[variant], 0);
  let draw = prng.next() * total;
  for (const variant of DUPLICATE_NUMBER_VARIANTS) {
    draw -= VARIANT_WEIGHTS[variant];
    if (draw < 0) return variant;
  }
  return 'same';
}

function replaceAt(text: string, index: number, replacement: string): string {
  return `${text.slice(0, index)}${replacement}${text.slice(index + 1)}`;
}

function digitPositions(text: string): number[] {
  const positions: number[] = [];
  for (let index = 0; index < text.length; index++) if (/\d/.test(text[index] ?? '')) positions.push(index);
  return positions;
}

/**
 * The number a duplicate carries: the original's, re-typed the way people and OCR re-type numbers —
 * unchanged, with leading zeros added or dropped, with a suffix, with a look-alike character
 * (`0`/`O`), with another separator, or with one digit mistyped.
 */
export function duplicateNumber(
  original: string,
  prng: Prng,
): { number: string; variant: DuplicateNumberVariant } {
  const variant = pickVariant(prng);
  const digits = digitPositions(original);
  switch (variant) {
    case 'same':
      return { number: original, variant };
    case 'leading-zeros': {
      const match = /^(\D*)(0*)(\d+)(.*)$/.exec(original);
      if (match) {
        const [, prefix = '', zeros = '', rest = '', tail = ''] = match;
        const number = zeros.length > 0 ? `${prefix}${rest}${tail}` : `${prefix}00${rest}${tail}`;
        return { number, variant };
      }
      return { number: `00${original}`, variant };
    }
    case 'suffix':
      return { number: `${original}${prng.pick(SUFFIXES)}`, variant };
    case 'look-alike': {
      const candidates = LOOK_ALIKES.filter(([digit]) => original.includes(digit));
      if (candidates.length > 0) {
        const [digit, letter] = prng.pick(candidates);
        const positions = [...original].flatMap((char, index) => (char === digit ? [index] : []));
        return { number: replaceAt(original, prng.pick(positions), letter), variant };
      }
      return { number: `${original}-1`, variant: 'suffix' };
    }
    case 'separator': {
      const separator = /[-/ ]/.exec(original);
      if (separator) {
        const replacement = prng.pick(['', ' ', separator[0] === '-' ? '/' : '-']);
        return { number: replaceAt(original, separator.index, replacement), variant };
      }
      const cut = Math.max(1, original.length - 4);
      return { number: `${original.slice(0, cut)}${prng.pick([' ', '-'])}${original.slice(cut)}`, variant };
    }
    case 'typo': {
      // A mistyped digit among the last four: where a person re-typing a number slips.
      const last = digits.slice(-4);
      const position = last.length > 0 ? prng.pick(last) : -1;
      if (position < 0) return { number: `${original}-1`, variant: 'suffix' };
      const digit = Number(original[position]);
      const other = (digit + prng.int(1, 9)) % 10;
      return { number: replaceAt(original, position, String(other)), variant };
    }
  }
}
