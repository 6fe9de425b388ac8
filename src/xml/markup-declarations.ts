import { positionAt } from './text-position.ts';

/**
 * Finding DTD markup (`<!DOCTYPE`, `<!ENTITY`, `<!ELEMENT`, …) before any parser sees a document.
 *
 * A DTD is how XXE (external entities that read files or fetch URLs) and billion-laughs (entities
 * that expand exponentially) get in. ERP messages and WSDLs never need one, so erpbridge refuses
 * any document that has one rather than trusting a parser's entity limits. The scan skips comments,
 * CDATA sections and processing instructions, where `<!DOCTYPE` is just text: a SOAP answer may
 * carry an HTML page inside CDATA.
 */

/** The first markup declaration found: its keyword as written and where it starts. */
export interface MarkupDeclaration {
  keyword: string;
  offset: number;
  line: number;
  column: number;
}

/**
 * The first `<!` followed by a letter outside comments, CDATA and processing instructions, or
 * undefined. Pure, one pass. An unterminated comment or CDATA ends the scan: the parser reports it.
 */
export function findMarkupDeclaration(text: string): MarkupDeclaration | undefined {
  let index = 0;
  while (index < text.length) {
    const open = text.indexOf('<', index);
    if (open === -1) return undefined;
    const next = text[open + 1];
    if (next === '?') {
      const close = text.indexOf('?>', open + 2);
      if (close === -1) return undefined;
      index = close + 2;
      continue;
    }
    if (next !== '!') {
      index = open + 1;
      continue;
    }
    if (text.startsWith('<!--', open)) {
      const close = text.indexOf('-->', open + 4);
      if (close === -1) return undefined;
      index = close + 3;
      continue;
    }
    if (text.startsWith('<![CDATA[', open)) {
      const close = text.indexOf(']]>', open + 9);
      if (close === -1) return undefined;
      index = close + 3;
      continue;
    }
    const keyword = /^<!([A-Za-z]+)/.exec(text.slice(open, open + 16))?.[1];
    if (keyword !== undefined) return { keyword, offset: open, ...positionAt(text, open) };
    index = open + 2;
  }
  return undefined;
}
