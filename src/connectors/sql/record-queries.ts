import { type CompiledQuery, type Expression, type Kysely, type SqlBool, sql } from 'kysely';
import type { SqlTables } from './read-only-database.ts';
import type { ColumnValue } from './row-values.ts';
import type { SqlChild, SqlEntity } from './sql-config.ts';
import { DIALECT_TRAITS, type SqlDialect } from './sql-dialect.ts';

/**
 * The statements a `sql` connection sends, built with Kysely: identifiers quoted by Kysely, every
 * value bound, never concatenated. The one piece of SQL text that enters unparsed by Kysely is a
 * configured query, wrapped as `(…) q` — and it passed the parser check at load time, as the whole
 * statement does again before it is sent.
 *
 * Pages are keyset-paginated (`WHERE key > last ORDER BY key LIMIT n`), never OFFSET: each page costs
 * the same, however deep the read, and a row inserted meanwhile cannot shift later pages.
 */

/** Where a page starts: after this row's key (and last-changed value, for incremental reads). */
export interface PagePosition {
  key: readonly ColumnValue[];
  changed?: ColumnValue;
}

export interface PageRequest {
  filter: readonly { column: string; value: string | number | boolean }[];
  /** Incremental: only rows whose changed column is greater than this, in changed order. */
  changedSince?: string | undefined;
  after?: PagePosition | undefined;
  /** Rows to ask for; the caller asks one more than a page to learn whether another follows. */
  limit: number;
}

type Source = Pick<SqlEntity, 'table' | 'query'>;

/** The entity's rows as `q`: its table, or its configured query as a derived table. */
function from(db: Kysely<SqlTables>, source: Source) {
  const rows = source.query === undefined ? sql.table(source.table ?? '') : sql`(${sql.raw(source.query)})`;
  return db.selectFrom(rows.as('q')).selectAll();
}

/** `column > value`, `column = value`, … on an unqualified column (the only source is `q`). */
function compare(
  db: Kysely<SqlTables>,
  column: string,
  operator: '>' | '=',
  value: ColumnValue,
): Expression<SqlBool> {
  return sql<SqlBool>`${db.dynamic.ref(column)} ${sql.raw(operator)} ${value}`;
}

/** Rows strictly after `values` in the order of `columns`: (a > x) or (a = x and b > y) or … */
function after(
  db: Kysely<SqlTables>,
  columns: readonly string[],
  values: readonly ColumnValue[],
): Expression<SqlBool> {
  const alternatives = columns.map((column, index) => {
    const equal = columns
      .slice(0, index)
      .map((previous, at) => compare(db, previous, '=', values[at] ?? null));
    return allOf([...equal, compare(db, column, '>', values[index] ?? null)]);
  });
  return anyOf(alternatives);
}

function allOf(conditions: Expression<SqlBool>[]): Expression<SqlBool> {
  return conditions.length === 1 && conditions[0] !== undefined
    ? conditions[0]
    : sql<SqlBool>`(${sql.join(conditions, sql` and `)})`;
}

function anyOf(conditions: Expression<SqlBool>[]): Expression<SqlBool> {
  return conditions.length === 1 && conditions[0] !== undefined
    ? conditions[0]
    : sql<SqlBool>`(${sql.join(conditions, sql` or `)})`;
}

/** One page of an entity's rows, in key order (or changed, key order for incremental reads). */
export function pageQuery(
  db: Kysely<SqlTables>,
  dialect: SqlDialect,
  entity: SqlEntity,
  request: PageRequest,
): CompiledQuery {
  const incremental = request.changedSince !== undefined && entity.changedColumn !== undefined;
  const order =
    incremental && entity.changedColumn !== undefined ? [entity.changedColumn, ...entity.key] : entity.key;
  let query = from(db, entity);
  for (const { column, value } of request.filter) query = query.where(compare(db, column, '=', value));
  if (incremental && entity.changedColumn !== undefined && request.changedSince !== undefined) {
    query = query.where(compare(db, entity.changedColumn, '>', request.changedSince));
  }
  if (request.after !== undefined) {
    const values = incremental ? [request.after.changed ?? null, ...request.after.key] : request.after.key;
    query = query.where(after(db, order, values));
  }
  for (const column of order) query = query.orderBy(db.dynamic.ref(column));
  return limited(query, dialect, request.limit).compile();
}

/** The row with this key, if any. */
export function getQuery(
  db: Kysely<SqlTables>,
  dialect: SqlDialect,
  entity: SqlEntity,
  key: readonly string[],
): CompiledQuery {
  let query = from(db, entity);
  entity.key.forEach((column, index) => {
    query = query.where(compare(db, column, '=', key[index] ?? null));
  });
  return limited(query, dialect, 2).compile();
}

/**
 * The child rows of `parents`, in as few statements as the dialect's limits allow (Oracle takes at
 * most 1000 items in an IN list, SQL Server 2100 parameters in a statement).
 */
export function childQueries(
  db: Kysely<SqlTables>,
  dialect: SqlDialect,
  child: SqlChild,
  parents: readonly Record<string, ColumnValue>[],
): CompiledQuery[] {
  const childColumns = Object.keys(child.match);
  const parentColumns = Object.values(child.match);
  const tuples = new Map<string, ColumnValue[]>();
  for (const parent of parents) {
    const tuple = parentColumns.map((column) => parent[column] ?? null);
    if (tuple.some((value) => value === null)) continue;
    tuples.set(JSON.stringify(tuple), tuple);
  }
  const traits = DIALECT_TRAITS[dialect];
  const perStatement = Math.max(
    1,
    Math.min(traits.maxInList, Math.floor(traits.maxParameters / childColumns.length)),
  );
  const order = [...childColumns, ...(child.orderBy ?? [])];
  const queries: CompiledQuery[] = [];
  const wanted = [...tuples.values()];
  for (let start = 0; start < wanted.length; start += perStatement) {
    const chunk = wanted.slice(start, start + perStatement);
    let query = from(db, child);
    const [only] = childColumns;
    if (childColumns.length === 1 && only !== undefined) {
      query = query.where(
        db.dynamic.ref(only),
        'in',
        chunk.map((tuple) => tuple[0] ?? null),
      );
    } else {
      query = query.where(anyOf(chunk.map((tuple) => equalTo(db, childColumns, tuple))));
    }
    for (const column of order) query = query.orderBy(db.dynamic.ref(column));
    queries.push(query.compile());
  }
  return queries;
}

/** Every one of `columns` equals its value. */
function equalTo(
  db: Kysely<SqlTables>,
  columns: readonly string[],
  values: readonly ColumnValue[],
): Expression<SqlBool> {
  return allOf(columns.map((column, index) => compare(db, column, '=', values[index] ?? null)));
}

function limited<
  Query extends { limit(count: number): Query; top(count: number): Query; fetch(count: number): Query },
>(query: Query, dialect: SqlDialect, count: number): Query {
  switch (DIALECT_TRAITS[dialect].limit) {
    case 'limit':
      return query.limit(count);
    case 'top':
      return query.top(count);
    case 'fetch':
      return query.fetch(count);
  }
}
