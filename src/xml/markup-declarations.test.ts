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
});
