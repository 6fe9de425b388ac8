import { describe, expect, it } from 'vitest';
import { findMarkupDeclaration } from './markup-declarations.ts';
import { positionAt } from './text-position.ts';

describe('findMarkupDeclaration', () => {
  it('finds a DOCTYPE with its line and column', () => {
    expect(findMarkupDeclaration('<?xml version="1.0"?>\n  <!DOCTYPE a>\n<a/>')).toEqual({
      keyword: 'DOCTYPE',
      offset: 24,
      line: 2,
      column: 3,
    });
  });

  it('finds ENTITY, ELEMENT and lower-case spellings', () => {
    expect(findMarkupDeclaration('<a/><!ENTITY x "y">')?.keyword).toBe('ENTITY');
    expect(findMarkupDeclaration('<!doctype html>')?.keyword).toBe('doctype');
  });

  it('ignores comments, CDATA and processing instructions', () => {
    expect(findMarkupDeclaration('<!-- <!DOCTYPE --><a><![CDATA[<!DOCTYPE]]></a><?x <!DOCTYPE?>')).toBe(
      undefined,
    );
  });

  it('stops at an unterminated comment: the parser reports that', () => {
    expect(findMarkupDeclaration('<a><!-- <!DOCTYPE x>')).toBe(undefined);
  });
});

describe('positionAt', () => {
  it('counts lines and columns from 1', () => {
    expect(positionAt('ab\ncd\nef', 0)).toEqual({ line: 1, column: 1 });
    expect(positionAt('ab\ncd\nef', 4)).toEqual({ line: 2, column: 2 });
    expect(positionAt('ab\ncd\nef', 6)).toEqual({ line: 3, column: 1 });
  });

  it('finds what a scan of every tag finds, on documents built from the tricky pieces', () => {
    // The scan as it was before it searched for `<?` and `<!` only: every `<` visited in turn.
    const everyTag = (text: string) => {
      let index = 0;
      while (index < text.length) {
        const open = text.indexOf('<', index);
        if (open === -1) return undefined;
        const next = text[open + 1];
        if (next === '?') {
          const close = text.indexOf('?>', open + 2);
          if (close === -1) return undefined;
          index = close + 2;
        } else if (next !== '!') {
          index = open + 1;
        } else if (text.startsWith('<!--', open)) {
          const close = text.indexOf('-->', open + 4);
          if (close === -1) return undefined;
          index = close + 3;
        } else if (text.startsWith('<![CDATA[', open)) {
          const close = text.indexOf(']]>', open + 9);
          if (close === -1) return undefined;
          index = close + 3;
        } else {
          const keyword = /^<!([A-Za-z]+)/.exec(text.slice(open, open + 16))?.[1];
          if (keyword !== undefined) return { keyword, offset: open, ...positionAt(text, open) };
          index = open + 2;
        }
      }
      return undefined;
    };
    const pieces = [
      '<a>',
      '</a>',
      '<?',
      '?>',
      '<?x ',
      '<!--',
      '-->',
      '<![CDATA[',
      ']]>',
      '<!DOCTYPE x>',
      '<!',
      '<',
      '>',
      'x',
      '\n',
      '<?>',
      '<<!E',
    ];
    let seed = 1;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    let found = 0;
    for (let trial = 0; trial < 20_000; trial++) {
      let text = '';
      const length = 1 + Math.floor(next() * 12);
      for (let piece = 0; piece < length; piece++) text += pieces[Math.floor(next() * pieces.length)];
      const expected = everyTag(text);
      if (expected !== undefined) found += 1;
      expect(findMarkupDeclaration(text), JSON.stringify(text)).toEqual(expected);
    }
    expect(found).toBeGreaterThan(1000);
  });
});
