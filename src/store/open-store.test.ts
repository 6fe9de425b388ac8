import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.ts';
import { probeServer, skipWithout } from '../connectors/sql/test-databases.ts';
import { ConfigError } from '../errors/index.ts';
import { thrownBy } from '../errors/test-errors.ts';
import { openStore } from './open-store.ts';
import { TestSchema } from './postgres/test-schema.ts';
import { testRun } from './test-records.ts';

const probe = await probeServer('postgres');
const CONFIG_FILE = join(tmpdir(), 'erpbridge-open-store', 'erpbridge.yaml');

function storeOf(yaml: string, env: Record<string, string> = {}) {
  return parseConfig(yaml, CONFIG_FILE, env).config.store;
}

describe('store: in erpbridge.yaml', () => {
  it('is SQLite by default, with or without kind, its path resolved against the config folder', () => {
    const sqlite = {
      kind: 'sqlite',
      path: join(tmpdir(), 'erpbridge-open-store', '.erpbridge/erpbridge.sqlite'),
      outboxRetentionDays: 7,
    };
    expect(storeOf('version: 1\n')).toEqual(sqlite);
    expect(storeOf('store:\n  path: .erpbridge/erpbridge.sqlite\n')).toEqual(sqlite);
    expect(storeOf('store:\n  kind: sqlite\n')).toEqual(sqlite);
  });

  it('accepts PostgreSQL, long form with an ${ENV} url or short form, with defaults', () => {
    expect(
      storeOf('store:\n  kind: postgres\n  url: ${STORE_URL}\n  schema: erpbridge\n  poolSize: 4\n', {
        STORE_URL: 'postgres://erp:pw@db:5432/erp',
      }),
    ).toEqual({
      kind: 'postgres',
      url: 'postgres://erp:pw@db:5432/erp',
      schema: 'erpbridge',
      poolSize: 4,
      outboxRetentionDays: 7,
    });
    expect(storeOf('store: postgres://erp@db/erp\n')).toEqual({
      kind: 'postgres',
      url: 'postgres://erp@db/erp',
      schema: 'public',
      poolSize: 10,
      outboxRetentionDays: 7,
    });
  });

  it('keeps published outbox rows 7 days unless outboxRetentionDays says otherwise, at least 1 whole day', () => {
    expect(storeOf('store:\n  outboxRetentionDays: 30\n')).toMatchObject({
      kind: 'sqlite',
      outboxRetentionDays: 30,
    });
    expect(
      storeOf('store:\n  kind: postgres\n  url: postgres://db/erp\n  outboxRetentionDays: 1\n'),
    ).toMatchObject({ kind: 'postgres', outboxRetentionDays: 1 });

    const zero = thrownBy(() => storeOf('version: 1\nstore:\n  outboxRetentionDays: 0\n'), ConfigError);
    expect(zero).toMatchObject({ key: 'store.outboxRetentionDays', line: 3 });
    expect(zero.message).toContain('must be at least 1 (days); the default is 7');
    const half = thrownBy(() => storeOf('store:\n  outboxRetentionDays: 0.5\n'), ConfigError);
    expect(half).toMatchObject({ key: 'store.outboxRetentionDays', line: 2 });
    expect(half.message).toContain('must be a whole number of days');
  });

  it('names the line and key of a store it cannot use', () => {
    const missingUrl = thrownBy(() => storeOf('version: 1\nstore:\n  kind: postgres\n'), ConfigError);
    expect(missingUrl.key).toBe('store.url');
    expect(missingUrl.line).toBe(2);

    const badSchema = thrownBy(
      () => storeOf('store:\n  kind: postgres\n  url: postgres://db/erp\n  schema: Erp-Bridge\n'),
      ConfigError,
    );
    expect(badSchema).toMatchObject({ key: 'store.schema', line: 4 });
    expect(badSchema.message).toContain('must be a lowercase identifier');

    const notUrl = thrownBy(() => storeOf('store: ./state.sqlite\n'), ConfigError);
    expect(notUrl.message).toContain('must be a postgres:// URL');

    const unknownKind = thrownBy(
      () => storeOf('store:\n  kind: mysql\n  url: mysql://db/erp\n'),
      ConfigError,
    );
    expect(unknownKind).toMatchObject({ key: 'store.kind', line: 2 });

    const mixed = thrownBy(() => storeOf('store:\n  kind: sqlite\n  url: postgres://db/erp\n'), ConfigError);
    expect(mixed.message).toContain('unknown key "url"');
  });
});

describe('openStore', () => {
  const cleanups: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('opens a SQLite store for kind sqlite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'erpbridge-open-store-'));
    const store = await openStore({ kind: 'sqlite', path: join(dir, 'store.sqlite') });
    cleanups.push(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });
    await store.migrate();
    await store.createRun(testRun('run-1'));
    expect(await store.getRun('run-1')).toEqual(testRun('run-1'));
  });

  it.skipIf(skipWithout(probe))('opens a PostgreSQL store in its schema for kind postgres', async () => {
    const schema = new TestSchema(probe.url, 'open');
    const store = await openStore({ kind: 'postgres', url: probe.url, schema: schema.schema, poolSize: 2 });
    cleanups.push(async () => {
      await store.close();
      await schema.drop();
    });
    await store.migrate();
    await store.createRun(testRun('run-1'));
    expect(await store.getRun('run-1')).toEqual(testRun('run-1'));
    expect(await schema.sql<{ id: string }>('select id from runs')).toEqual([{ id: 'run-1' }]);
  });
});
