import { DIALECT_TRAITS, type SqlDialect } from './sql-dialect.ts';

/**
 * A deliberately strict lexer for the parser check: it finds what a parser may read differently from
 * the server — comments (MySQL runs `/*! … *\/`), statement separators, strings whose end depends on
 * a server setting, dollar- and q-quoting — and refuses them before any grammar is consulted. What
 * it lets through, it splits into the unquoted words (for the keyword check) and the placeholders
 * of bound values (so the grammar can read compiled statements).
 */

/** One unquoted word (keyword, name or function name), upper-cased, with its offset. */
export interface SqlWord {
  text: string;
  at: number;
}

/** What the lexer found in SQL it accepts. */
export interface LexedSql {
  words: SqlWord[];
  /** Offsets `[start, end)` of bound-value placeholders (`?`, `$1`, `@1`, `:1`). */
  placeholders: { start: number; end: number }[];
}

export type LexResult = { ok: true; lexed: LexedSql } | { ok: false; at: number; problem: string };

const WORD_START = /[A-Za-z_\u0080-\uFFFF]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uFFFF]/;
const DIGIT = /[0-9]/;

/** Splits `sql` as `dialect` would, or names the first thing the check refuses and where. */
export function lexSql(sql: string, dialect: SqlDialect): LexResult {
  const traits = DIALECT_TRAITS[dialect];
  const mysqlFamily = dialect === 'mysql' || dialect === 'mariadb';
  const words: SqlWord[] = [];
  const placeholders: LexedSql['placeholders'] = [];
  const refuse = (at: number, problem: string): LexResult => ({ ok: false, at, problem });
  const identifierQuotes: readonly string[] = traits.identifierQuotes;

  let index = 0;
  while (index < sql.length) {
    const char = sql.charAt(index);
    const next = sql.charAt(index + 1);
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r') {
      index++;
      continue;
    }
    if (char < ' ' || char === '\u007f') return refuse(index, 'a control character');
    if (char === '-' && next === '-') return refuse(index, 'a "--" comment');
    if (char === '/' && next === '*') {
      return refuse(
        index,
        sql.charAt(index + 2) === '!' ? 'a MySQL executable comment "/*! … */"' : 'a "/* … */" comment',
      );
    }
    if (char === '#') {
      return refuse(
        index,
        mysqlFamily ? 'a "#" comment' : 'a "#" outside quotes (quote names that contain #, e.g. "PO_#")',
      );
    }
    if (char === ';') return refuse(index, 'a ";" (one statement only; stacked statements are refused)');
    if (char === "'") {
      const end = closingQuote(sql, index, "'");
      if (end < 0) return refuse(index, 'a string that is never closed');
      if (traits.ambiguousBackslash && sql.slice(index, end).includes('\\')) {
        return refuse(
          index,
          'a backslash inside a string literal (where it ends depends on the server; write the value without it)',
        );
      }
      index = end + 1;
      continue;
    }
    if (char === '"') {
      const end = closingQuote(sql, index, '"');
      if (end < 0) return refuse(index, 'a quoted name that is never closed');
      // In MySQL without ANSI_QUOTES "…" is a string, with backslash escapes.
      if (mysqlFamily && sql.slice(index, end).includes('\\')) {
        return refuse(index, 'a backslash inside a double-quoted string or name');
      }
      index = end + 1;
      continue;
    }
    if (identifierQuotes.includes(char)) {
      const close = char === '[' ? ']' : char;
      const end = closingQuote(sql, index, close);
      if (end < 0) return refuse(index, 'a quoted name that is never closed');
      index = end + 1;
      continue;
    }
    if (char === '$') {
      if (dialect === 'postgres' && DIGIT.test(next)) {
        const end = scan(sql, index + 1, DIGIT);
        placeholders.push({ start: index, end });
        index = end;
        continue;
      }
      if (dialect === 'postgres' && /^\$[A-Za-z_]*\$/.test(sql.slice(index))) {
        return refuse(index, 'a dollar-quoted string ($$ … $$)');
      }
      index++;
      continue;
    }
    if (char === '?' && traits.placeholder === 'question') {
      placeholders.push({ start: index, end: index + 1 });
      index++;
      continue;
    }
    if (char === '@' && traits.placeholder === 'at' && DIGIT.test(next)) {
      const end = scan(sql, index + 1, DIGIT);
      placeholders.push({ start: index, end });
      index = end;
      continue;
    }
    if (char === ':') {
      if (next === '=') return refuse(index, 'an assignment ":="');
      if (traits.placeholder === 'colon' && DIGIT.test(next)) {
        const end = scan(sql, index + 1, DIGIT);
        placeholders.push({ start: index, end });
        index = end;
        continue;
      }
      index++;
      continue;
    }
    if (WORD_START.test(char)) {
      const end = scan(sql, index + 1, WORD_PART);
      const text = sql.slice(index, end).toUpperCase();
      const quoteFollows = sql.charAt(end) === "'";
      if (quoteFollows && dialect === 'postgres' && text === 'E') {
        return refuse(index, "an escape string E'…' (write a plain '…' string)");
      }
      if (quoteFollows && dialect === 'oracle' && (text === 'Q' || text === 'NQ')) {
        return refuse(index, "an alternative-quoted string q'…' (write a plain '…' string)");
      }
      words.push({ text, at: index });
      index = end;
      continue;
    }
    if (DIGIT.test(char)) {
      index = scan(sql, index + 1, /[0-9A-Za-z_.]/);
      continue;
    }
    index++;
  }
  return { ok: true, lexed: { words, placeholders } };
}

/** Index of the quote closing the one at `start` (a doubled quote is part of the text), or -1. */
function closingQuote(sql: string, start: number, close: string): number {
  let index = start + 1;
  while (index < sql.length) {
    const found = sql.indexOf(close, index);
    if (found < 0) return -1;
    if (sql.charAt(found + 1) === close) {
      index = found + 2;
      continue;
    }
    return found;
  }
  return -1;
}

function scan(sql: string, from: number, pattern: RegExp): number {
  let index = from;
  while (index < sql.length && pattern.test(sql.charAt(index))) index++;
  return index;
}
