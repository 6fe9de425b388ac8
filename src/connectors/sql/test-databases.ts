import { randomBytes } from 'node:crypto';

/**
 * The real database servers the `sql` tests run against, for tests only (not exported from the
 * folder's index). A server that does not answer skips its tests with one line saying so — unless
 * CI=true, where a missing service is a failure, not a skip.
 */

export type TestServerDialect = 'postgres' | 'mariadb';

/** Where each server is expected; override with ERPBRIDGE_TEST_POSTGRES / ERPBRIDGE_TEST_MARIADB. */
export const TEST_SERVER_URLS: Readonly<Record<TestServerDialect, string>> = {
  postgres: process.env.ERPBRIDGE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test',
  mariadb: process.env.ERPBRIDGE_TEST_MARIADB ?? 'mysql://root@127.0.0.1:3306/test',
};

export type ServerProbe =
  | { available: true; url: string }
  | { available: false; url: string; reason: string };

const probes = new Map<TestServerDialect, Promise<ServerProbe>>();

/**
 * Whether the server answers `select 1` within 3 s. Outside CI an absent server is reported (the
 * caller skips and prints `reason`); under CI=true it throws.
 */
export function probeServer(dialect: TestServerDialect): Promise<ServerProbe> {
  let probe = probes.get(dialect);
  if (probe === undefined) {
    probe = probeOnce(dialect);
    probes.set(dialect, probe);
  }
  return probe;
}

async function probeOnce(dialect: TestServerDialect): Promise<ServerProbe> {
  const url = TEST_SERVER_URLS[dialect];
  try {
    if (dialect === 'postgres') {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
      await client.connect();
      try {
        await client.query('select 1');
      } finally {
        await client.end();
      }
    } else {
      const { createConnection } = await import('mysql2/promise');
      const connection = await createConnection({ uri: url, connectTimeout: 3000 });
      try {
        await connection.query('select 1');
      } finally {
        await connection.end();
      }
    }
    return { available: true, url };
  } catch (error) {
    const reason = `${dialect} is not reachable at ${url} (${error instanceof Error ? error.message : String(error)})`;
    if (process.env.CI === 'true') throw new Error(`CI=true and ${reason}`);
    return { available: false, url, reason };
  }
}

/** Prints the one-line skip message for an absent server; returns whether to skip. */
export function skipWithout(probe: ServerProbe): boolean {
  if (probe.available) return false;
  process.stderr.write(`skipping: ${probe.reason}\n`);
  return true;
}

/** A schema (PostgreSQL) or database (MariaDB) name no other test run uses: `erpb_<prefix>_<pid>_<hex>`. */
export function uniqueSchema(prefix: string): string {
  return `erpb_${prefix}_${process.pid}_${randomBytes(3).toString('hex')}`.toLowerCase();
}
