import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { probeServer, skipWithout } from '../connectors/sql/test-databases.ts';
import {
  dropPrefix,
  probeRedis,
  skipWithoutRedis,
  TEST_REDIS_URL,
  uniquePrefix,
} from '../distributed/test-redis.ts';
import type { Store } from '../store/contract.ts';
import { TestSchema } from '../store/postgres/test-schema.ts';
import { createSqliteStore } from '../store/sqlite/sqlite-store.ts';
import { housekeep, startHousekeeping } from './housekeeping.ts';
import { type RunningService, startService } from './index.ts';

const postgres = await probeServer('postgres');
const redisProbe = await probeRedis();

const DAY_MS = 24 * 60 * 60 * 1000;
/** The retention the configs below set: 3 days, so a row sent 5 days ago goes only if the setting is read (the default keeps 7). */
const RETENTION_DAYS = 3;

function daysAgo(days: number, now = Date.now()): string {
  return new Date(now - days * DAY_MS).toISOString();
}

/**
 * What a store holds after a while: a row published 5 days ago, one published yesterday, one
 * never published though 30 days old; a console session that expired yesterday and a live one.
 */
async function seed(store: Store): Promise<void> {
  const job = (id: string, createdAt: string) => ({
    id,
    kind: 'apply',
    payload: { runId: 'run-x' },
    createdAt,
  });
  await store.addOutboxJobs([
    job('sent-5-days-ago', daysAgo(6)),
    job('sent-yesterday', daysAgo(2)),
    job('never-sent', daysAgo(30)),
  ]);
  await store.markOutboxJobsSent(['sent-5-days-ago'], daysAgo(5));
  await store.markOutboxJobsSent(['sent-yesterday'], daysAgo(1));
  await store.putUser({
    name: 'anna',
    role: 'viewer',
    passwordHash: 'scrypt$x',
    createdAt: daysAgo(40),
    updatedAt: daysAgo(40),
  });
  const session = (idHash: string, expiresAt: string) => ({
    idHash,
    userName: 'anna',
    csrfToken: `csrf-${idHash}`,
    createdAt: daysAgo(3),
    expiresAt,
  });
  await store.addSession(session('expired-yesterday', daysAgo(1)));
  await store.addSession(session('live', daysAgo(-1)));
}

/** Polls `read` until it returns `expected` (deep-equal) or 10 s pass; returns what it read last. */
async function eventually<T>(read: () => Promise<T> | T, expected: T): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (JSON.stringify(value) === JSON.stringify(expected) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('erpbridge serve: housekeeping', () => {
  const cleanups: (() => Promise<void> | void)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'erpbridge-housekeeping-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  async function serve(dir: string, yaml: string): Promise<RunningService> {
    const configFile = join(dir, 'erpbridge.yaml');
    writeFileSync(configFile, yaml);
    const service = await startService({
      configFile,
      dataDir: dir,
      port: 0,
      env: {},
      logLevel: 'silent',
      webDir: null,
      housekeepingIntervalMs: 50,
    });
    cleanups.push(() => service.close());
    return service;
  }

  it('embedded (SQLite): deletes rows published past the retention and expired sessions, keeps the rest', async () => {
    const dir = tempDir();
    const path = join(dir, 'erpbridge.sqlite');
    const seeded = createSqliteStore({ path });
    await seeded.migrate();
    await seed(seeded);
    await seeded.close();

    const service = await serve(dir, `version: 1\nstore:\n  outboxRetentionDays: ${RETENTION_DAYS}\n`);
    expect(service.distributed).toBe(false);

    const file = new Database(path, { readonly: true });
    cleanups.push(() => {
      file.close();
    });
    const left = () => ({
      outbox: file.prepare('select id from outbox order by id').pluck().all(),
      sessions: file.prepare('select id_hash from sessions order by id_hash').pluck().all(),
    });
    expect(await eventually(left, { outbox: ['never-sent', 'sent-yesterday'], sessions: ['live'] })).toEqual({
      outbox: ['never-sent', 'sent-yesterday'],
      sessions: ['live'],
    });
  });

  it.skipIf(skipWithout(postgres) || skipWithoutRedis(redisProbe))(
    'distributed (PostgreSQL store, Redis queue): the same',
    async () => {
      const schema = new TestSchema(postgres.url, 'housekeeping');
      cleanups.push(() => schema.drop());
      const prefix = uniquePrefix('housekeeping');
      const redis = new Redis(TEST_REDIS_URL);
      cleanups.push(async () => {
        await dropPrefix(redis, prefix);
        await redis.quit();
      });
      const seeded = schema.store();
      await seeded.migrate();
      await seed(seeded);

      const service = await serve(
        tempDir(),
        [
          'version: 1',
          `store: { kind: postgres, url: "${postgres.url}", schema: ${schema.schema}, outboxRetentionDays: ${RETENTION_DAYS} }`,
          `queue: { kind: redis, url: "${TEST_REDIS_URL}", prefix: ${prefix} }`,
          '',
        ].join('\n'),
      );
      expect(service.distributed).toBe(true);

      const left = async () => ({
        outbox: (await schema.sql<{ id: string }>('select id from outbox order by id')).map((row) => row.id),
        sessions: (
          await schema.sql<{ id_hash: string }>('select id_hash from sessions order by id_hash')
        ).map((row) => row.id_hash),
      });
      // The relay publishes the row never sent meanwhile: sent now, it stays either way.
      expect(
        await eventually(left, { outbox: ['never-sent', 'sent-yesterday'], sessions: ['live'] }),
      ).toEqual({
        outbox: ['never-sent', 'sent-yesterday'],
        sessions: ['live'],
      });
    },
  );
});

describe('housekeep', () => {
  const stores: Store[] = [];
  const dirs: string[] = [];

  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close().catch(() => {});
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  async function sqliteStore(): Promise<Store> {
    const dir = mkdtempSync(join(tmpdir(), 'erpbridge-housekeep-'));
    dirs.push(dir);
    const store = createSqliteStore({ path: join(dir, 'store.sqlite') });
    stores.push(store);
    await store.migrate();
    return store;
  }

  /** A log that keeps its lines, as pino would print them. */
  function recordingLog() {
    const lines: { level: 'info' | 'warn'; object: Record<string, unknown>; message: string }[] = [];
    return {
      lines,
      info: (object: object, message: string) =>
        lines.push({ level: 'info', object: { ...object }, message }),
      warn: (object: object, message: string) =>
        lines.push({ level: 'warn', object: { ...object }, message }),
    };
  }

  it('logs at info what it removed, and nothing when nothing went', async () => {
    const store = await sqliteStore();
    await seed(store);
    const log = recordingLog();
    const now = () => new Date();

    await housekeep({ store, outboxRetentionDays: RETENTION_DAYS, log, now });
    expect(log.lines).toEqual([
      {
        level: 'info',
        object: { outboxRowsDeleted: 1, sentBefore: expect.any(String), outboxRetentionDays: RETENTION_DAYS },
        message: expect.stringMatching(
          /^housekeeping: deleted 1 outbox rows published before \S+Z \(store\.outboxRetentionDays: 3\)$/,
        ),
      },
      {
        level: 'info',
        object: { expiredSessionsDeleted: 1 },
        message: 'housekeeping: deleted 1 expired console sessions',
      },
    ]);

    log.lines.length = 0;
    await housekeep({ store, outboxRetentionDays: RETENTION_DAYS, log, now });
    expect(log.lines).toEqual([]);
  });

  it('warns and resolves when the store fails, trying each step', async () => {
    const store = await sqliteStore();
    await store.close();
    const log = recordingLog();

    await expect(housekeep({ store, outboxRetentionDays: 7, log })).resolves.toBeUndefined();
    expect(log.lines.map((line) => [line.level, line.message])).toEqual([
      [
        'warn',
        'housekeeping: pruning published outbox rows failed; they stay, and the next pass tries again',
      ],
      [
        'warn',
        'housekeeping: deleting expired console sessions failed; they stay (refused all the same), and the next pass tries again',
      ],
    ]);
    expect(log.lines[0]?.object.err).toContain('database connection is not open');
  });

  it('keeps running after a failed pass, and stop() ends it', async () => {
    const store = await sqliteStore();
    await seed(store);
    const log = recordingLog();
    let failures = 1;
    // The first pass finds the store failing; the next one must still come.
    const flaky: Store = new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'pruneOutbox' && failures > 0) {
          failures--;
          return () => Promise.reject(new Error('database is locked'));
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const housekeeping = startHousekeeping({
      store: flaky,
      outboxRetentionDays: RETENTION_DAYS,
      log,
      intervalMs: 20,
    });
    const logged = await eventually(
      () => log.lines.some((line) => line.object.outboxRowsDeleted === 1),
      true,
    );
    await housekeeping.stop();
    expect(logged).toBe(true);
    expect(log.lines[0]).toMatchObject({
      level: 'warn',
      object: { err: expect.stringContaining('database is locked') },
    });
    const count = log.lines.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(log.lines).toHaveLength(count);
  });

  it('refuses an interval that is not a whole number of milliseconds a timer can wait', async () => {
    const store = await sqliteStore();
    for (const intervalMs of [0, -5, 1.5, Number.NaN, 2 ** 31]) {
      expect(() =>
        startHousekeeping({ store, outboxRetentionDays: 7, log: recordingLog(), intervalMs }),
      ).toThrow(
        new RangeError(
          `housekeeping intervalMs must be a whole number of milliseconds from 1 to 2147483647, got ${intervalMs}`,
        ),
      );
    }
  });
});
