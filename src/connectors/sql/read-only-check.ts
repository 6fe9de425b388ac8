import { createRequire } from 'node:module';
import type { Parser } from 'node-sql-parser';
import { FORBIDDEN_WORDS, SAFE_FUNCTIONS } from './safe-functions.ts';
import { DIALECT_TRAITS, type SqlDialect, type SqlGrammar } from './sql-dialect.ts';
import { lexSql } from './sql-lexer.ts';

/**
 * The parser check: is this text exactly one SELECT that reads and does nothing else? Applied to
 * every configured query when the configuration loads, and to every statement the connector sends,
 * before it leaves the process. Layers, each a second opinion on the others:
 *
 * 1. the lexer refuses comments (MySQL executes `/*! … *\/`), `;`, strings whose end depends on a
 *    server setting, dollar- and q-quoting;
 * 2. the text must start with SELECT or WITH, and no unquoted word may be a write, lock or
 *    transaction keyword (`FOR UPDATE`, `INTO`, `LOCK IN SHARE MODE`, …);
 * 3. node-sql-parser must read it as one SELECT, with no data-changing statement anywhere in its
 *    tree (a CTE `WITH x AS (DELETE … RETURNING …)`), no `INTO`, no locking read, and only the
 *    functions of {@link SAFE_FUNCTIONS};
 * 4. every table it names must be named for reading.
 *
 * It refuses what it cannot read. A refusal is a reason a person can act on, never an exception.
 */

export type ReadOnlyVerdict = { ok: true } | { ok: false; reason: string };

const require = createRequire(import.meta.url);
const parsers = new Map<SqlGrammar, Parser>();

/**
 * The parser for one grammar, loaded on first use from node-sql-parser's per-grammar build: the
 * package's main entry carries all fourteen grammars (about 90 MB of memory), one build about 15.
 * Synchronous, so the check can run inside the configuration schema.
 */
function parserFor(grammar: SqlGrammar): Parser {
  let parser = parsers.get(grammar);
  if (parser === undefined) {
    const loaded: unknown = require(`node-sql-parser/build/${grammar}`);
    const module = hasParser(loaded) ? loaded : Reflect.get(Object(loaded), 'default');
    if (!hasParser(module)) throw new Error(`node-sql-parser/build/${grammar} has no Parser`);
    parser = new module.Parser();
    parsers.set(grammar, parser);
  }
  return parser;
}

function hasParser(value: unknown): value is { Parser: new () => Parser } {
  return typeof value === 'object' && value !== null && typeof Reflect.get(value, 'Parser') === 'function';
}

/** Statement kinds node-sql-parser may put anywhere in a tree; only `select` reads. */
const STATEMENT_TYPES = new Set([
  'insert',
  'replace',
  'update',
  'delete',
  'merge',
  'upsert',
  'create',
  'alter',
  'drop',
  'truncate',
  'rename',
  'grant',
  'revoke',
  'call',
  'exec',
  'execute',
  'set',
  'lock',
  'unlock',
  'use',
  'transaction',
  'explain',
  'show',
  'desc',
  'load_data',
  'declare',
  'if',
  'go',
]);

/** Checks `sqlText` as `dialect` would read it. Pure, and cheap enough to run per statement (callers cache). */
export function checkReadOnlySelect(sqlText: string, dialect: SqlDialect): ReadOnlyVerdict {
  const refuse = (reason: string): ReadOnlyVerdict => ({ ok: false, reason });
  if (sqlText.trim() === '') return refuse('the query is empty');

  const lexed = lexSql(sqlText, dialect);
  if (!lexed.ok) return refuse(`${lexed.problem} at ${near(sqlText, lexed.at)}`);
  const { words, placeholders } = lexed.lexed;

  if (!/^[\s(]*(select|with)\b/i.test(sqlText)) {
    return refuse(`only SELECT (or WITH … SELECT) is allowed; this starts with ${near(sqlText, 0)}`);
  }
  const forbidden = words.find((word) => FORBIDDEN_WORDS.has(word.text));
  if (forbidden !== undefined) {
    return refuse(`${forbidden.text} has no place in a read, at ${near(sqlText, forbidden.at)}`);
  }

  // Bound values become a literal for the grammar's sake; their positions are known from the lexer.
  let parseable = '';
  let from = 0;
  for (const placeholder of placeholders) {
    parseable += `${sqlText.slice(from, placeholder.start)}0`;
    from = placeholder.end;
  }
  parseable += sqlText.slice(from);

  const { grammar } = DIALECT_TRAITS[dialect];
  const options = { database: grammar };
  let ast: unknown;
  let tables: string[];
  try {
    const parser = parserFor(grammar);
    ast = parser.astify(parseable, options);
    tables = parser.tableList(parseable, options);
  } catch (error) {
    const detail = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    return refuse(`it cannot be read as one SELECT: ${shorten(detail, 160)}`);
  }
  const statements = Array.isArray(ast) ? ast : [ast];
  if (statements.length !== 1) return refuse(`it holds ${statements.length} statements; one SELECT only`);
  const [statement] = statements;
  if (typeOf(statement) !== 'select') {
    return refuse(`it is a ${String(typeOf(statement) ?? 'statement').toUpperCase()}, not a SELECT`);
  }
  const problem = treeProblem(statement);
  if (problem !== undefined) return refuse(problem);
  const written = tables.find((entry) => !entry.startsWith('select::'));
  if (written !== undefined) {
    return refuse(`it would ${written.split('::')[0]?.toUpperCase()} table ${written.split('::')[2]}`);
  }
  return { ok: true };
}

/** The first thing in the parsed tree a read must not do, or undefined. */
function treeProblem(root: unknown): string | undefined {
  const pending: unknown[] = [root];
  const seen = new Set<object>();
  while (pending.length > 0) {
    const node = pending.pop();
    if (typeof node !== 'object' || node === null || seen.has(node)) continue;
    seen.add(node);
    if (Array.isArray(node)) {
      pending.push(...node);
      continue;
    }
    const type = typeOf(node);
    if (typeof type === 'string' && STATEMENT_TYPES.has(type.toLowerCase())) {
      return `it contains a ${type.toUpperCase()} statement`;
    }
    if (type === 'select') {
      const into: unknown = Reflect.get(node, 'into');
      if (into !== null && typeof into === 'object' && Reflect.get(into, 'position') != null) {
        return 'SELECT … INTO writes its result somewhere; a read only returns rows';
      }
      const locking: unknown = Reflect.get(node, 'locking_read');
      if (locking !== null && locking !== undefined) {
        return `it takes locks (${String(typeof locking === 'string' ? locking : 'a locking read')})`;
      }
    }
    if (typeof type === 'string' && /func(tion)?$/.test(type)) {
      const name = functionName(Reflect.get(node, 'name'));
      if (name === undefined) return 'it calls a function whose name cannot be read';
      if (name.includes('.')) return `it calls ${name}: call built-in functions without a schema`;
      if (!SAFE_FUNCTIONS.has(name.toLowerCase())) {
        return `it calls ${name}(), which is not on the list of functions known to have no side effects`;
      }
    }
    for (const value of Object.values(node)) {
      if (typeof value === 'object' && value !== null) pending.push(value);
    }
  }
  return undefined;
}

/** A function node's name as written (`lower`, `pg_catalog.nextval`); undefined when unreadable. */
function functionName(name: unknown): string | undefined {
  if (typeof name === 'string') return name;
  if (typeof name !== 'object' || name === null) return undefined;
  const parts: unknown = Reflect.get(name, 'name');
  const schema: unknown = Reflect.get(name, 'schema');
  if (!Array.isArray(parts)) return undefined;
  const names = parts.map((part: unknown) =>
    typeof part === 'object' && part !== null ? Reflect.get(part, 'value') : part,
  );
  if (!names.every((part): part is string => typeof part === 'string')) return undefined;
  const schemaName =
    typeof schema === 'object' && schema !== null ? Reflect.get(schema, 'value') : (schema ?? undefined);
  return [...(typeof schemaName === 'string' ? [schemaName] : []), ...names].join('.');
}

function typeOf(node: unknown): unknown {
  return typeof node === 'object' && node !== null ? Reflect.get(node, 'type') : undefined;
}

/** `offset 12 (near "…")`, for messages. */
function near(text: string, at: number): string {
  return `offset ${at} (near ${JSON.stringify(shorten(text.slice(at), 30))})`;
}

function shorten(text: string, length: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length <= length ? flat : `${flat.slice(0, length - 1)}…`;
}
