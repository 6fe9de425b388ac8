/**
 * Benchmark: extracting a million purchase orders from PostgreSQL through the read-only `sql`
 * connector and the `legacy-sqlserver` profile, as the engine does — keyset pages of headers with
 * their lines (one query each per page), every record mapped to a canonical PurchaseOrder — then
 * an incremental read of the 1 % that changed since.
 *
 * The tables are the legacy personality's POHEADER, PODETAIL (one line per order) and VENDOR, in a
 * schema of their own, filled on the server (`INSERT … SELECT … FROM generate_series`) with indexes
 * built afterwards. Holds when the full read's peak RSS stays under 200 MB. The process runs with a
 * V8 heap limit of 128 MB (it restarts itself with one), as the CLI runs with an explicit limit:
 * without one V8 lets garbage pile up to far more than a read needs, and RSS measures that instead.
 *
 * Prints a table and writes bench/results/sql-extract-latest.json (+ a timestamped copy).
 *
 *   node bin/run-ts.mjs bench/sql-extract.bench.ts                 # 1,000,000 orders
 *   BENCH_ROWS=100000 BENCH_PAGE_SIZE=2000 node bin/run-ts.mjs bench/sql-extract.bench.ts
 *   ERPBRIDGE_TEST_POSTGRES=postgres://user@host/db …            # another server
 */
import { spawnSync } from 'node:child_process';
import { getHeapStatistics } from 'node:v8';
import Table from 'cli-table3';
import { sql } from 'kysely';
import { personalities } from '../sandbox/database-personalities/index.ts';
import {
  createIndexes,
  createTable,
  type TableDefinition,
} from '../sandbox/database-personalities/table-definition.ts';
import {
  dropTargetSchema,
  type MaterialiseTarget,
  openTarget,
} from '../sandbox/database-personalities/target-database.ts';
import { SqlConfigSchema } from '../src/connectors/sql/sql-config.ts';
import { connectSql } from '../src/connectors/sql/sql-connection.ts';
import { TEST_SERVER_URLS, uniqueSchema } from '../src/connectors/sql/test-databases.ts';
import { legacySqlServerEntities, legacySqlServerProfile } from '../src/profiles/legacy-sqlserver/index.ts';
import { envInteger } from './env-integer.ts';
import { writeResults } from './write-results.ts';

const HEAP_LIMIT_MB = 128;
if (getHeapStatistics().heap_size_limit > 2 * HEAP_LIMIT_MB * 2 ** 20) {
  // Started without a heap limit: run again with one, same arguments and environment.
  // bin/run-ts.mjs took this file off argv; it goes back on, after the runner.
  const runner = process.argv.slice(1);
  const again = spawnSync(
    process.execPath,
    [`--max-old-space-size=${HEAP_LIMIT_MB}`, ...process.execArgv, ...runner, import.meta.filename],
    { stdio: 'inherit' },
  );
  process.exit(again.status ?? 1);
}

const ROWS = envInteger('BENCH_ROWS', 1_000_000);
const PAGE_SIZE = envInteger('BENCH_PAGE_SIZE', 2000);
const RSS_LIMIT_MB = 200;

function table(name: string): TableDefinition {
  const found = personalities['legacy-sqlserver'].tables.find((definition) => definition.name === name);
  if (found === undefined) throw new Error(`the legacy personality has no table ${name}`);
  return found;
}

/** Samples the process's resident set every 20 ms; `stop()` gives the peak in MB. */
function rssSampler() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss) / 2 ** 20;
    },
  };
}

const target: MaterialiseTarget = {
  dialect: 'postgres',
  connection: { url: TEST_SERVER_URLS.postgres },
  schema: uniqueSchema('bench'),
};

async function fill(): Promise<{ seconds: number; connection: Record<string, unknown> }> {
  const started = performance.now();
  const opened = await openTarget(target);
  try {
    const [header, detail, vendor] = [table('POHEADER'), table('PODETAIL'), table('VENDOR')];
    for (const definition of [header, detail, vendor]) {
      await createTable(opened.db, definition, 'postgres', { indexes: false });
    }
    await sql`insert into "VENDOR" ("Recnum", "VENDOR_ID", "VENDOR_NAME", "COUNTRY", "CURRENCY", "LEAD_DAYS", "ONTIME_PCT")
      select g, (100000 + g)::text, 'Vendor ' || g, 'DE', case when g % 10 = 0 then 'USD' else 'EUR' end, 3 + g % 40, 55 + (g % 90) / 2.0
      from generate_series(1, 200) g`.execute(opened.db);
    await sql`insert into "POHEADER" ("Recnum", "VENDOR_ID", "PO_#", "ORDER_DATE", "DATE_REQUIRED", "REQUEST_BY",
        "ORDER_UD_FLAG", "CLOSED_FLAG", "NUMITEMS", "POTotal", "ChangedDate", "Notes")
      select g, (100001 + g % 200)::text, 45000000 + g,
        timestamp '2024-01-01' + (g % 700) * interval '1 day',
        timestamp '2024-02-01' + (g % 700) * interval '1 day',
        'JSMITH', (1 + g % 4)::text, case when g % 5 = 0 then 'Y' else ' ' end, 1,
        round((10 + g % 9000)::numeric * 1.25, 2),
        timestamp '2025-01-01' + g * interval '1 second',
        case when g % 30 = 0 then 'expedite please' end
      from generate_series(1, ${ROWS}) g`.execute(opened.db);
    await sql`insert into "PODETAIL" ("Recnum", "VENDOR_ID", "PO_#", "LINE_#", "SPRNUM", "QTY_ORD", "DELIV_DATE",
        "PRICE_EA", "EXTENSION", "DESCRIPTION", "UOM_CODE")
      select g, (100001 + g % 200)::text, 45000000 + g, 10, (10000000 + g % 5000)::text, 10,
        timestamp '2024-02-01' + (g % 700) * interval '1 day',
        round((10 + g % 9000)::numeric * 0.125, 4), round((10 + g % 9000)::numeric * 1.25, 4),
        'Bearing 6204-2RS', 'EA'
      from generate_series(1, ${ROWS}) g`.execute(opened.db);
    for (const definition of [header, detail, vendor]) await createIndexes(opened.db, definition);
    await sql`analyze`.execute(opened.db);
    return { seconds: (performance.now() - started) / 1000, connection: opened.readConnection };
  } finally {
    await opened.close();
  }
}

async function extract(connection: Record<string, unknown>, changedSince?: string) {
  // The connector itself, without the registry, which loads every other connector kind too.
  const config = SqlConfigSchema.parse({
    kind: 'sql',
    dialect: 'postgres',
    connection,
    pageSize: PAGE_SIZE,
    entities: legacySqlServerEntities('postgres'),
  });
  const erp = await connectSql(config, { name: 'bench', env: {} });
  const rss = rssSampler();
  const started = performance.now();
  let orders = 0;
  let lines = 0;
  let watermark: string | null | undefined;
  try {
    for await (const page of erp.read({
      entity: 'purchase_orders',
      ...(changedSince ? { changedSince } : {}),
    })) {
      for (const record of page.records) {
        const order = legacySqlServerProfile.purchaseOrder.toCanonical(record);
        orders++;
        lines += order.lines.length;
      }
      watermark = page.watermark;
    }
  } finally {
    await erp.close();
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    orders,
    lines,
    seconds,
    ordersPerSecond: Math.round(orders / seconds),
    peakRssMb: rss.stop(),
    watermark,
  };
}

const baselineMb = process.memoryUsage().rss / 2 ** 20;
try {
  process.stdout.write(
    `filling ${ROWS.toLocaleString('en')} orders into ${TEST_SERVER_URLS.postgres} (${target.schema})…\n`,
  );
  const filled = await fill();
  global.gc?.();
  const full = await extract(filled.connection);
  const touched = Math.max(1, Math.floor(ROWS / 100));
  const opened = await openTarget(target);
  try {
    await sql`update "POHEADER" set "ChangedDate" = timestamp '2030-01-01' + "Recnum" * interval '1 millisecond'
      where "Recnum" % 100 = 0 or ("Recnum" = 1 and ${ROWS} < 100)`.execute(opened.db);
  } finally {
    await opened.close();
  }
  const incremental = await extract(filled.connection, full.watermark ?? undefined);
  const holds = full.peakRssMb < RSS_LIMIT_MB && full.orders === ROWS && incremental.orders === touched;

  const results = new Table({ head: ['read', 'orders', 'lines', 'seconds', 'orders/s', 'peak RSS MB'] });
  results.push(
    [
      'full (keyset pages + lines, mapped)',
      full.orders,
      full.lines,
      full.seconds.toFixed(1),
      full.ordersPerSecond,
      full.peakRssMb.toFixed(0),
    ],
    [
      'incremental (1 % changed)',
      incremental.orders,
      incremental.lines,
      incremental.seconds.toFixed(2),
      incremental.ordersPerSecond,
      incremental.peakRssMb.toFixed(0),
    ],
  );
  process.stdout.write(`${results.toString()}\n`);
  process.stdout.write(
    `fill ${filled.seconds.toFixed(1)} s; page size ${PAGE_SIZE}; RSS after loading the modules ${baselineMb.toFixed(0)} MB; peak RSS ${full.peakRssMb.toFixed(0)} MB ${full.peakRssMb < RSS_LIMIT_MB ? '<' : '≥'} ${RSS_LIMIT_MB} MB: ${holds ? 'holds' : 'DOES NOT HOLD'}\n`,
  );
  writeResults('sql-extract', {
    rows: ROWS,
    pageSize: PAGE_SIZE,
    fillSeconds: filled.seconds,
    full: { ...full, watermark: undefined },
    incremental: { ...incremental, expected: touched, watermark: undefined },
    baselineRssMb: baselineMb,
    heapLimitMb: getHeapStatistics().heap_size_limit / 2 ** 20,
    rssLimitMb: RSS_LIMIT_MB,
    holds,
  });
  if (!holds) process.exitCode = 1;
} finally {
  await dropTargetSchema(target);
}
