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
  // Only `<?` (a processing instruction, skipped whole) and `<!` matter; other tags are stepped
  // over by searching for those two. A document without `<!` (most SOAP answers) takes one search.
  let index = 0;
  let instruction = text.indexOf('<?');
  let bang = text.indexOf('<!');
  while (index < text.length) {
    if (instruction !== -1 && instruction < index) instruction = text.indexOf('<?', index);
    if (bang !== -1 && bang < index) bang = text.indexOf('<!', index);
    if (bang === -1) return undefined;
    if (instruction !== -1 && instruction < bang) {
      const close = text.indexOf('?>', instruction + 2);
      if (close === -1) return undefined;
      index = close + 2;
      continue;
    }
    const open = bang;
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
