import type { EntityDecoderOptions } from 'fast-xml-parser';

/**
 * The only entity references erpbridge expands: the five XML predefines (`&amp;` `&lt;` `&gt;`
 * `&quot;` `&apos;`) and numeric character references (`&#233;`, `&#xE9;`). fast-xml-parser
 * decodes numeric references only together with HTML's named entities, and accepts DTD entity
 * declarations; this decoder does neither. An unknown `&name;` stays as written.
 */

/** An `&` that starts no reference: every `&` in text or an attribute value must start one. */
export const BARE_AMPERSAND = /&(?!(?:#x[0-9A-Fa-f]+|#[0-9]+|[:A-Z_a-z][\w.:-]*);)/;

const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const REFERENCE = /&(?:#x([0-9A-Fa-f]{1,6})|#([0-9]{1,7})|(amp|lt|gt|quot|apos));/g;

/** Expands the references named above in one pass, so `&amp;#65;` stays `&#65;`. Pure. */
export function decodeXmlReferences(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(
    REFERENCE,
    (match, hex: string | undefined, decimal: string | undefined, name: string | undefined) => {
      if (name !== undefined) return PREDEFINED[name] ?? match;
      const codePoint = hex === undefined ? Number(decimal) : Number.parseInt(hex, 16);
      return isXmlCharacter(codePoint) ? String.fromCodePoint(codePoint) : match;
    },
  );
}

/** XML 1.0 `Char`: a reference to anything else (NUL, a lone surrogate) is left unexpanded. */
function isXmlCharacter(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}

/**
 * The decoder handed to fast-xml-parser. Documents with a DOCTYPE are refused before parsing; if a
 * declaration ever reached the parser anyway, `addInputEntities` throws instead of learning it.
 */
export function createEntityDecoder(): EntityDecoderOptions {
  return {
    setExternalEntities: (entities) => refuseEntities(entities),
    addInputEntities: (entities) => refuseEntities(entities),
    reset: () => {},
    setXmlVersion: () => {},
    decode: decodeXmlReferences,
  };
}

function refuseEntities(entities: Record<string, string>): void {
  const names = Object.keys(entities);
  if (names.length > 0) throw new Error(`entity declarations are refused (${names.join(', ')})`);
}
