/**
 * PII redaction for what goes to an LLM: emails, phone numbers, IBANs and bank accounts, tax/VAT
 * ids and people's names become placeholders like «EMAIL_1» before a request is built, and the
 * placeholders in the answer are put back. The mapping lives only in memory, per record.
 *
 * Redaction errs on the side of hiding: a part number that looks like a phone number is hidden too.
 * The model never needs the real value to decide; it needs to know one was there.
 */

/** The kinds of personal data recognised, as they appear in placeholders. */
export const PII_KINDS = ['EMAIL', 'PHONE', 'IBAN', 'ACCOUNT', 'TAX_ID', 'NAME'] as const;
export type PiiKind = (typeof PII_KINDS)[number];

const PLACEHOLDER = /«(EMAIL|PHONE|IBAN|ACCOUNT|TAX_ID|NAME)_(\d+)»/g;

/**
 * The placeholders of one record and what they stand for. The same value gets the same placeholder
 * wherever it appears in the record.
 */
export class RedactionVault {
  readonly #byPlaceholder = new Map<string, string>();
  readonly #byValue = new Map<string, string>();
  readonly #counts = new Map<PiiKind, number>();

  /** The placeholder for `value` (a new one the first time). */
  placeholder(kind: PiiKind, value: string): string {
    const key = `${kind}\u0000${value}`;
    const known = this.#byValue.get(key);
    if (known !== undefined) return known;
    const count = (this.#counts.get(kind) ?? 0) + 1;
    this.#counts.set(kind, count);
    const placeholder = `«${kind}_${count}»`;
    this.#byValue.set(key, placeholder);
    this.#byPlaceholder.set(placeholder, value);
    return placeholder;
  }

  /** What a placeholder stands for, if this vault made it. */
  original(placeholder: string): string | undefined {
    return this.#byPlaceholder.get(placeholder);
  }

  /** How many values of each kind were hidden (for the audit; never the values). */
  counts(): Partial<Record<PiiKind, number>> {
    return Object.fromEntries(this.#counts);
  }

  get size(): number {
    return this.#byPlaceholder.size;
  }
}

/** One detector: a pattern, and which part of a match is the value to hide. */
interface Detector {
  kind: PiiKind;
  pattern: RegExp;
  /** The capture group holding the value (0: the whole match). */
  group: number;
  /** A last check on a candidate; false leaves it alone. */
  accept?: (value: string) => boolean;
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

/**
 * `words` as a case-insensitive alternation, for labels. Regex flag `i` is not used: with `u` it
 * would make `\p{Lu}` (an upper-case letter, how names are told apart) match any letter.
 */
function anyCase(words: readonly string[]): string {
  const letter = (char: string): string =>
    /\p{L}/u.test(char) && char.toLowerCase() !== char.toUpperCase()
      ? `[${char.toLowerCase()}${char.toUpperCase()}]`
      : char === ' '
        ? '\\s*'
        : escapeRegExp(char);
  return `(?:${words.map((word) => [...word].map(letter).join('')).join('|')})`;
}

/** A labelled value: the label, optional punctuation, then the value's pattern as group 1. */
function labelled(labels: string, value: string): RegExp {
  return new RegExp(`(?<![\\p{L}\\d])${labels}\\.?\\s*[:#]?\\s*(${value})`, 'gu');
}

/** An IBAN as printed: country, check digits, 11–30 more characters, optionally in groups of four. */
const IBAN = /\b[A-Z]{2}\d{2}(?: ?[0-9A-Z]{4}){2,7}(?: ?[0-9A-Z]{1,3})?\b/g;
const IBAN_LABELLED = labelled('IBAN', '[A-Z]{2}\\d{2}(?: ?[0-9A-Z]{4}){2,7}(?: ?[0-9A-Z]{1,3})?');

/** EU VAT numbers and Swiss UIDs in their printed forms. */
const VAT_ID =
  /\b(?:ATU\d{8}|BE[01]\d{9}|BG\d{9,10}|CHE-?\d{3}\.?\d{3}\.?\d{3}|CY\d{8}[A-Z]|CZ\d{8,10}|DE\d{9}|DK\d{8}|EE\d{9}|EL\d{9}|ES[A-Z0-9]\d{7}[A-Z0-9]|FI\d{8}|FR[A-HJ-NP-Z0-9]{2}\d{9}|GB(?:\d{9}|\d{12})|HR\d{11}|HU\d{8}|IE\d{7}[A-W][A-I]?|IT\d{11}|LT(?:\d{9}|\d{12})|LU\d{8}|LV\d{11}|MT\d{8}|NL\d{9}B\d{2}|PL\d{10}|PT\d{9}|RO\d{2,10}|SE\d{12}|SI\d{8}|SK\d{10})\b/g;
/**
 * A value after a label: a few letters, then digits; a separator only between digits. Words after a
 * label (`VAT included`) and the end of a sentence are not taken.
 */
const CODE_VALUE = '[A-Z]{0,4} ?\\d[\\dA-Z]*(?:[ ./-]\\d[\\dA-Z]*)*';
const TAX_LABELLED = labelled(
  `(?:${anyCase(['vat no', 'vat number', 'vat id', 'vat reg no', 'vat registration', 'tax id', 'tax no', 'tax number', 'steuernummer', 'steuer-nr', 'st.-nr', 'ust-idnr', 'ust-id', 'ustid'])}|VAT|TIN|EIN|UID|SIREN|SIRET|NIF|CIF|ABN|GSTIN|GST)`,
  CODE_VALUE,
);
const ACCOUNT_LABELLED = labelled(
  `(?:${anyCase(['bank account', 'account no', 'account number', 'account #', 'acct no', 'acct', 'a/c', 'kontonummer', 'konto-nr', 'konto', 'kto-nr', 'kto', 'routing no', 'routing number', 'sort code'])}|ABA)`,
  CODE_VALUE,
);

const PHONE_LABELLED = labelled(
  anyCase(['telephone', 'tel', 'phone', 'fax', 'mobile', 'mob', 'cell', 'telefon', 'handy']),
  '\\+?[\\d(][\\d\\s()./-]{5,}\\d',
);
/** International (`+49 30 1234567`, `0049 ...`) and national (`030 123 4567`, `(555) 123-4567`) forms. */
const PHONE_INTERNATIONAL = /(?<![\w+])(?:\+|00)[1-9][\d\s()./-]{6,20}\d(?!\w)/g;
const PHONE_NATIONAL =
  /(?<![\w.,])(?:\(?0\d{1,5}\)?[\s/-]\d{2,}(?:[\s-]\d{2,}){0,3}|\(\d{3}\)\s?\d{3}[\s.-]\d{4}|\d{3}[.-]\d{3}[.-]\d{4})(?!\w)/g;

/** One to three capitalised words: how a name is told apart from the words around it. */
const NAME_VALUE = "\\p{Lu}[\\p{L}'’-]+(?:\\s+\\p{Lu}[\\p{L}'’-]+){0,2}";
/** A title before a name: `Mr. John Smith`, `Frau Maria Schmidt`. */
const TITLED_NAME = new RegExp(
  `(?<![\\p{L}])(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Herr|Frau|Mme|Mlle|Sr|Sra)\\.?\\s+(${NAME_VALUE})`,
  'gu',
);
/** A label or verb before a name: `Contact: John Smith`, `Regards, Maria`, `call Eva Lind`. */
const LABELLED_NAME = new RegExp(
  `(?<![\\p{L}])${anyCase([
    'contact person',
    'contact',
    'attn',
    'attention',
    'ansprechpartnerin',
    'ansprechpartner',
    'requested by',
    'approved by',
    'signed',
    'buyer',
    'einkäuferin',
    'einkäufer',
    'kind regards',
    'best regards',
    'regards',
    'sincerely',
    'call',
    'ask',
    'tell',
    'cc',
    'gez.',
    'i. a.',
  ])}\\s*[:,-]?\\s+(${NAME_VALUE})`,
  'gu',
);

/** What follows a label but is no person: a department, or a title whose name the title detector took. */
const NOT_A_PERSON =
  /^(?:Dept|Department|Team|Purchasing|Procurement|Einkauf|Accounts|Sales|Support|Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Herr|Frau|Mme|Mlle|Sr|Sra)\b/;

const EMAIL_DETECTOR: Detector = { kind: 'EMAIL', pattern: EMAIL, group: 0 };

/** The detectors after emails and known names, in the order they run. */
const DETECTORS: readonly Detector[] = [
  { kind: 'IBAN', pattern: IBAN_LABELLED, group: 1 },
  { kind: 'IBAN', pattern: IBAN, group: 0, accept: isValidIban },
  { kind: 'TAX_ID', pattern: TAX_LABELLED, group: 1, accept: hasDigits(5) },
  { kind: 'TAX_ID', pattern: VAT_ID, group: 0 },
  { kind: 'ACCOUNT', pattern: ACCOUNT_LABELLED, group: 1, accept: hasDigits(4) },
  { kind: 'PHONE', pattern: PHONE_LABELLED, group: 1, accept: digitsBetween(6, 15) },
  { kind: 'PHONE', pattern: PHONE_INTERNATIONAL, group: 0, accept: digitsBetween(8, 15) },
  {
    kind: 'PHONE',
    pattern: PHONE_NATIONAL,
    group: 0,
    accept: (value) => digitsBetween(7, 15)(value) && !isDate(value),
  },
  { kind: 'NAME', pattern: TITLED_NAME, group: 1, accept: (value) => !NOT_A_PERSON.test(value) },
  { kind: 'NAME', pattern: LABELLED_NAME, group: 1, accept: (value) => !NOT_A_PERSON.test(value) },
];

/**
 * Hides personal data in one text. `names` are people's names known from the record (fields the
 * task marks as names); each is hidden wherever it appears, as are its parts of three letters or
 * more (a surname on its own).
 */
export function redactText(text: string, vault: RedactionVault, names: readonly string[] = []): string {
  // Emails first: a name inside an address (`Maria.Schmidt@…`) is hidden with the address.
  let redacted = applyDetector(text, EMAIL_DETECTOR, vault);
  for (const name of [...names].sort((a, b) => b.length - a.length)) {
    const parts = [name, ...name.split(/\s+/).filter((part) => part.length >= 3 && /^\p{Lu}/u.test(part))];
    for (const part of parts) {
      // The placeholder is made on the first match, so a name that never appears is not counted.
      redacted = redacted.replace(
        new RegExp(`(?<![\\p{L}\\d])${escapeRegExp(part)}(?![\\p{L}\\d])`, 'gu'),
        () => vault.placeholder('NAME', name),
      );
    }
  }
  for (const detector of DETECTORS) redacted = applyDetector(redacted, detector, vault);
  return redacted;
}

function applyDetector(text: string, detector: Detector, vault: RedactionVault): string {
  return text.replace(detector.pattern, (match: string, ...groups: unknown[]) => {
    const value = detector.group === 0 ? match : groups[detector.group - 1];
    if (typeof value !== 'string' || value.includes('«')) return match;
    const trimmed = value.trim();
    if (detector.accept && !detector.accept(trimmed)) return match;
    return match.replace(trimmed, vault.placeholder(detector.kind, trimmed));
  });
}

/**
 * Hides personal data in a described record: every string, at any depth. `names` are people's
 * names known from the record ({@link personNames}): hidden wherever they appear. Keys are kept;
 * numbers, booleans and null pass unchanged.
 */
export function redactFields(
  fields: Record<string, unknown>,
  vault: RedactionVault,
  names: readonly string[] = [],
): Record<string, unknown> {
  const redacted: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) redacted[key] = redactValue(value, vault, names);
  return redacted;
}

/**
 * The names held by the fields a task marks as person names (`personFields`), read from the whole
 * described record — also from fields the allowlist holds back, so a withheld buyer's name is still
 * hidden where the notes mention it.
 */
export function personNames(fields: Record<string, unknown>, personFields: readonly string[] = []): string[] {
  return personFields.flatMap((key) => namesIn(fields[key]));
}

/** The person names a field's value holds: a string, or the strings of an array. */
function namesIn(value: unknown): string[] {
  if (typeof value === 'string') return value.trim() === '' ? [] : [value.trim()];
  if (Array.isArray(value)) return value.flatMap(namesIn);
  return [];
}

function redactValue(value: unknown, vault: RedactionVault, names: readonly string[]): unknown {
  if (typeof value === 'string') return redactText(value, vault, names);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, vault, names));
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, redactValue(inner, vault, names)]),
    );
  }
  return value;
}

/**
 * Puts the originals back for every placeholder the vault made, in every string of `value` at any
 * depth. A placeholder the vault does not know (the model made it up) stays as it is.
 */
export function restorePlaceholders<T>(value: T, vault: RedactionVault): T {
  if (vault.size === 0) return value;
  // Only the contents of strings change, never the shape, so the value keeps its type.
  return restoreValue(value, vault) as T;
}

function restoreValue(value: unknown, vault: RedactionVault): unknown {
  if (typeof value === 'string') {
    return value.replace(PLACEHOLDER, (placeholder) => vault.original(placeholder) ?? placeholder);
  }
  if (Array.isArray(value)) return value.map((item) => restoreValue(item, vault));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, restoreValue(inner, vault)]));
  }
  return value;
}

/** ISO 13616 check: move the first four characters to the end, letters to numbers, mod 97 = 1. */
export function isValidIban(value: string): boolean {
  const compact = value.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(compact)) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const digits = /\d/.test(char) ? char : String(char.charCodeAt(0) - 55);
    for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

function hasDigits(least: number): (value: string) => boolean {
  return (value) => (value.match(/\d/g)?.length ?? 0) >= least;
}

function digitsBetween(least: number, most: number): (value: string) => boolean {
  return (value) => {
    const count = value.match(/\d/g)?.length ?? 0;
    return count >= least && count <= most;
  };
}

function isDate(value: string): boolean {
  return /^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$/.test(value.trim());
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
