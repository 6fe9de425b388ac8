/**
 * EDIFACT syntax identifiers (UNB01-1) and what they allow. Partners declare UNOA and send
 * lower-case letters and umlauts in UTF-8; the reader accepts that with a warning, the writer
 * refuses to produce it unless told to keep the file as it came.
 */

export interface EdifactCharset {
  /** The iconv-lite encoding of the bytes. */
  encoding: string;
  /** Matches the first character outside the repertoire; undefined: any character. */
  outside?: RegExp;
  description: string;
}

/** The syntax identifiers erpbridge knows. */
export const EDIFACT_CHARSETS: Readonly<Record<string, EdifactCharset>> = {
  UNOA: {
    encoding: 'ascii',
    outside: /[^A-Z0-9 .,\-()/='+:?!"%&*;<>]/,
    description: 'UNOA (upper-case letters, digits and a few signs)',
  },
  UNOB: { encoding: 'ascii', outside: /[^\x20-\x7E]/, description: 'UNOB (ASCII letters, digits and signs)' },
  UNOC: { encoding: 'latin1', outside: /[^\x20-\x7E\xA0-\xFF]/, description: 'UNOC (ISO 8859-1)' },
  UNOD: { encoding: 'iso-8859-2', description: 'UNOD (ISO 8859-2)' },
  UNOE: { encoding: 'iso-8859-5', description: 'UNOE (ISO 8859-5)' },
  UNOF: { encoding: 'iso-8859-7', description: 'UNOF (ISO 8859-7)' },
  UNOW: { encoding: 'utf-8', description: 'UNOW (UTF-8)' },
  UNOY: { encoding: 'utf-8', description: 'UNOY (ISO 10646, written as UTF-8)' },
};

/** The charset of a syntax identifier; unknown ones are treated as UNOC (the common default). */
export function edifactCharset(syntaxIdentifier: string): EdifactCharset {
  return (
    EDIFACT_CHARSETS[syntaxIdentifier] ??
    EDIFACT_CHARSETS.UNOC ?? { encoding: 'latin1', description: syntaxIdentifier }
  );
}

/** The first character of `text` outside the charset's repertoire, or undefined. Pure. */
export function firstOutside(text: string, charset: EdifactCharset): string | undefined {
  return charset.outside === undefined ? undefined : charset.outside.exec(text)?.[0];
}

/**
 * The syntax identifier of the first UNB in the first bytes of a file (read as Latin-1: the
 * envelope is ASCII), or undefined. Accounts for a UNA's element and component separators.
 */
export function sniffSyntaxIdentifier(head: string): string | undefined {
  let element = '+';
  let component = ':';
  const una = head.indexOf('UNA');
  if (una !== -1 && una < 8) {
    component = head.charAt(una + 3);
    element = head.charAt(una + 4);
  }
  const unb = head.indexOf(`UNB${element}`);
  if (unb === -1) return undefined;
  const value = head.slice(unb + 4, unb + 4 + 8);
  const id = value.split(component)[0]?.split(element)[0];
  return id !== undefined && /^UNO[A-Z]$/.test(id) ? id : undefined;
}
