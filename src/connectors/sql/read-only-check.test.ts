import { describe, expect, it } from 'vitest';
import { checkReadOnlySelect } from './read-only-check.ts';
import type { SqlDialect } from './sql-dialect.ts';

/** [dialect, query, what the refusal must mention] — every one must be refused. */
const ATTACKS: [SqlDialect, string, RegExp][] = [
  // data changes
  ['postgres', 'INSERT INTO po (id) VALUES (1)', /only SELECT|INSERT/],
  ['postgres', 'UPDATE po SET priority = 1', /only SELECT|UPDATE/],
  ['postgres', 'DELETE FROM po', /only SELECT|DELETE/],
  ['mysql', 'REPLACE INTO po VALUES (1)', /only SELECT|INTO/],
  ['postgres', 'MERGE INTO po USING x ON po.id = x.id WHEN MATCHED THEN DELETE', /only SELECT|MERGE/],
  ['mariadb', 'MERGE INTO po USING x ON po.id = x.id WHEN MATCHED THEN UPDATE SET a = 1', /only SELECT/],
  ['postgres', 'INSERT INTO po SELECT * FROM po', /only SELECT/],
  ['mysql', 'LOAD DATA INFILE "/tmp/x" INTO TABLE po', /only SELECT/],
  ['postgres', "COPY po FROM PROGRAM 'rm -rf /'", /only SELECT/],
  // schema changes and administration
  ['postgres', 'DROP TABLE po', /only SELECT/],
  ['mysql', 'TRUNCATE TABLE po', /only SELECT/],
  ['postgres', 'CREATE TABLE x AS SELECT * FROM po', /only SELECT/],
  ['sqlite', 'ALTER TABLE po ADD COLUMN x TEXT', /only SELECT/],
  ['postgres', 'GRANT ALL ON po TO public', /only SELECT/],
  ['sqlite', "ATTACH DATABASE '/tmp/x.db' AS x", /only SELECT/],
  ['sqlite', 'PRAGMA query_only = OFF', /only SELECT/],
  ['postgres', 'SET default_transaction_read_only = off', /only SELECT/],
  ['postgres', 'EXPLAIN ANALYZE DELETE FROM po', /only SELECT/],
  ['mssql', "EXEC xp_cmdshell 'dir'", /only SELECT/],
  ['postgres', 'CALL archive_orders()', /only SELECT/],
  ['postgres', 'DO $$ BEGIN DELETE FROM po; END $$', /only SELECT|dollar/],
  // stacked statements
  ['postgres', 'SELECT 1; DELETE FROM po', /";"/],
  ['mysql', 'SELECT 1;DROP TABLE po', /";"/],
  ['sqlite', 'SELECT 1;', /";"/],
  ['mssql', 'SELECT 1; EXEC sp_who', /";"/],
  // comment tricks
  ['postgres', 'SELECT 1 -- ; DELETE FROM po', /"--" comment/],
  ['postgres', 'SELECT /* hi */ 1', /comment/],
  ['mysql', 'SELECT /*! DELETE FROM po */ 1', /executable comment/],
  ['mariadb', 'SELECT /*!50000 1; DROP TABLE po */ 1', /executable comment/],
  ['mysql', 'SELECT 1 # ; DELETE FROM po', /"#" comment/],
  ['mariadb', 'SELECT 1 #\nFROM po', /"#" comment/],
  ['postgres', 'SELECT 1--\n', /"--" comment/],
  ['oracle', 'SELECT 1 FROM dual -- x', /comment/],
  // quoting that parsers and servers may read differently
  ['mysql', "SELECT '\\' ; DELETE FROM po; -- '", /backslash/],
  ['postgres', "SELECT E'\\'; DROP TABLE po; --'", /escape string/],
  ['postgres', 'SELECT $$a$$', /dollar-quoted/],
  ['postgres', 'SELECT $tag$; DROP TABLE po; $tag$', /dollar-quoted/],
  ['oracle', "SELECT q'[; DROP TABLE po]' FROM dual", /alternative-quoted/],
  ['mysql', 'SELECT "\\" ; DELETE FROM po', /backslash/],
  ['postgres', "SELECT 'never closed", /never closed/],
  ['postgres', 'SELECT 1\u0000; DROP TABLE po', /control character/],
  // CTEs that write
  ['postgres', 'WITH gone AS (DELETE FROM po RETURNING *) SELECT * FROM gone', /DELETE|RETURNING/],
  ['postgres', 'WITH x AS (UPDATE po SET a = 1 RETURNING a) SELECT * FROM x', /UPDATE|RETURNING/],
  ['postgres', 'WITH x AS (INSERT INTO po VALUES (1) RETURNING id) SELECT * FROM x', /INSERT|RETURNING/],
  // locking reads
  ['postgres', 'SELECT * FROM po FOR UPDATE', /UPDATE/],
  ['postgres', 'SELECT * FROM po FOR SHARE', /SHARE/],
  ['postgres', 'SELECT * FROM po FOR NO KEY UPDATE NOWAIT', /UPDATE|NOWAIT/],
  ['mysql', 'SELECT * FROM po LOCK IN SHARE MODE', /LOCK/],
  ['mariadb', 'SELECT * FROM po FOR UPDATE SKIP LOCKED', /UPDATE/],
  ['mssql', 'SELECT * FROM po WITH (UPDLOCK, HOLDLOCK)', /UPDLOCK/],
  ['oracle', 'SELECT * FROM po FOR UPDATE', /UPDATE/],
  // SELECT … INTO
  ['postgres', 'SELECT * INTO po_copy FROM po', /INTO/],
  ['mysql', "SELECT * FROM po INTO OUTFILE '/tmp/po.csv'", /INTO|OUTFILE/],
  ['mysql', "SELECT * FROM po INTO DUMPFILE '/tmp/x'", /INTO|DUMPFILE/],
  ['mssql', 'SELECT * INTO #copy FROM po', /INTO|#/],
  ['mysql', 'SELECT @n := 1', /assignment/],
  // functions with side effects (not on the allowlist)
  ['postgres', "SELECT nextval('po_seq')", /nextval/],
  ['postgres', "SELECT setval('po_seq', 1)", /setval/],
  ['postgres', 'SELECT pg_advisory_lock(42)', /pg_advisory_lock/],
  ['postgres', "SELECT lo_import('/etc/passwd')", /lo_import/],
  ['postgres', "SELECT * FROM dblink('host=x', 'DELETE FROM po') AS t(a int)", /read as one SELECT|dblink/],
  ['postgres', 'SELECT pg_terminate_backend(123)', /pg_terminate_backend/],
  ['postgres', "SELECT set_config('default_transaction_read_only', 'off', false)", /set_config/],
  ['postgres', "SELECT query_to_xml('delete from po', true, true, '')", /query_to_xml/],
  ['postgres', 'SELECT pg_sleep(60)', /pg_sleep/],
  ['postgres', "SELECT pg_catalog.lower('x')", /without a schema/],
  ['postgres', 'SELECT id FROM po WHERE id = (SELECT archive_and_return(1))', /archive_and_return/],
  ['mysql', 'SELECT SLEEP(10)', /SLEEP/i],
  ['mysql', "SELECT GET_LOCK('x', 10)", /GET_LOCK/i],
  ['mysql', "SELECT LOAD_FILE('/etc/passwd')", /LOAD_FILE/i],
  ['mariadb', 'SELECT BENCHMARK(1000000000, MD5(1))', /BENCHMARK/i],
  ['sqlite', "SELECT load_extension('/tmp/evil.so')", /load_extension/],
  ['mssql', "SELECT * FROM OPENQUERY(linked, 'UPDATE po SET a = 1')", /OPENQUERY|UPDATE/],
  ['mssql', "SELECT * FROM OPENROWSET('SQLNCLI', 'x', 'y')", /OPENROWSET/],
  // not a query at all
  ['postgres', '   ', /empty/],
  ['postgres', 'SHOW ALL', /only SELECT/],
  ['mysql', 'HANDLER po OPEN', /only SELECT/],
  ['postgres', 'BEGIN', /only SELECT/],
  ['postgres', 'SELECT 1 UNION ALL DELETE FROM po', /DELETE/],
];

/** [dialect, query] — every one must be accepted. */
const LEGITIMATE: [SqlDialect, string][] = [
  ['postgres', 'SELECT * FROM po'],
  ['postgres', 'select "EBELN", "LIFNR" from "EKKO" where "MANDT" = \'100\''],
  [
    'postgres',
    `SELECT k."EBELN", coalesce(n."NOTE", '') AS "NOTE",
       (SELECT MAX(c."UDATE" || c."UTIME") FROM "CDHDR" c WHERE c."OBJECTID" = k."EBELN") AS "CHANGED_AT",
       CASE WHEN k."LOEKZ" = 'L' THEN 'CANCELLED'
            WHEN EXISTS (SELECT 1 FROM "EKPO" p WHERE p."EBELN" = k."EBELN" AND p."ELIKZ" <> 'X') THEN 'OPEN'
            ELSE 'CLOSED' END AS "ORDER_STATUS"
     FROM "EKKO" k LEFT JOIN "ZMM_PO_NOTE" n ON n."EBELN" = k."EBELN"`,
  ],
  ['postgres', "WITH open_orders AS (SELECT * FROM po WHERE status = 'OPEN') SELECT * FROM open_orders"],
  ['postgres', 'SELECT a, count(*) FROM po GROUP BY a HAVING count(*) > 1 ORDER BY a'],
  ['postgres', "SELECT id, to_char(updated, 'YYYY-MM-DD') FROM po UNION SELECT id, 'x' FROM old_po"],
  ['postgres', 'SELECT row_number() OVER (ORDER BY id) AS n, lower(name) FROM vendors'],
  ['postgres', 'SELECT * FROM (SELECT id FROM po) AS q WHERE q.id > $1 ORDER BY q.id LIMIT $2'],
  ['postgres', "SELECT 'updated; -- not a comment' AS text_with_keywords"],
  ['postgres', 'SELECT "UPDATE" FROM "LOCKS"'],
  ['mysql', "SELECT `PO_#`, `VENDOR_ID` FROM `POHEADER` WHERE `CLOSED_FLAG` = ' ' LIMIT ?"],
  ['mysql', "SELECT CONCAT(c.UDATE, c.UTIME) AS changed FROM CDHDR c WHERE c.OBJECTCLAS = 'EINKBELEG'"],
  [
    'mariadb',
    "SELECT h.`PO_#`, IFNULL(h.Notes, '') FROM POHEADER h JOIN VENDOR v ON v.VENDOR_ID = h.VENDOR_ID",
  ],
  ['sqlite', 'SELECT "PO_#", substr("ORDER_DATE", 1, 10) FROM "POHEADER" WHERE "PO_#" > ? LIMIT ?'],
  ['mssql', 'SELECT h.[PO_#], h.[VENDOR_ID] FROM [dbo].[POHEADER] AS h'],
  ['mssql', 'select top(11) * from (SELECT a FROM t) as "q" where "q"."CH" > @1 order by "q"."CH"'],
  ['oracle', 'SELECT h."SEGMENT1", h."ATTRIBUTE1" FROM "PO_HEADERS_ALL" h WHERE h."ORG_ID" = 204'],
  [
    'oracle',
    'select * from (SELECT "SEGMENT1" FROM "PO_HEADERS_ALL") "q" where "SEGMENT1" > :1 order by "SEGMENT1" fetch first :2 rows only',
  ],
];

describe('the parser check refuses anything but one SELECT', () => {
  it.each(ATTACKS)('%s refuses %j', (dialect, query, mentions) => {
    const verdict = checkReadOnlySelect(query, dialect);
    expect(verdict.ok, `accepted: ${query}`).toBe(false);
    if (!verdict.ok) expect(verdict.reason).toMatch(mentions);
  });

  it('covers at least 40 attacks', () => {
    expect(ATTACKS.length).toBeGreaterThanOrEqual(40);
  });

  it.each(LEGITIMATE)('%s accepts %j', (dialect, query) => {
    expect(checkReadOnlySelect(query, dialect)).toEqual({ ok: true });
  });

  it('says where the problem is', () => {
    expect(checkReadOnlySelect('SELECT 1; DELETE FROM po', 'postgres')).toEqual({
      ok: false,
      reason:
        'a ";" (one statement only; stacked statements are refused) at offset 8 (near "; DELETE FROM po")',
    });
  });
});
