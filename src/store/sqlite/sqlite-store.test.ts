import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErpError } from '../../errors/index.ts';
import type { Store } from '../contract.ts';
import { STORE_MIGRATIONS } from '../migrations/index.ts';
import { describeStoreConformance } from '../store-conformance.ts';
import { entriesAfter, testChange, testRun } from '../test-records.ts';
import { createSqliteStore } from './sqlite-store.ts';

describeStoreConformance('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'erpbridge-store-'));
  const store = createSqliteStore({ path: join(dir, 'store.sqlite') });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('SQLite store', () => {
  let dir: string;
  const open: Store[] = [];

  function openStore(path: string): Store {
    const store = createSqliteStore({ path });
    open.push(store);
    return store;
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'erpbridge-sqlite-'));
  });

  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the file’s directory and enforces foreign keys', async () => {
    const path = join(dir, 'nested', 'deeper', 'erpbridge.sqlite');
    const store = openStore(path);
    await store.migrate();
    const orphan = {
      runId: 'no-such-run',
      recordId: 'PO-1',
      state: 'planned' as const,
      label: null,
      confidence: null,
      error: null,
    };
    const error: unknown = await store.saveBatch([orphan], []).catch((rejection: unknown) => rejection);
    expect(error).toBeInstanceOf(ErpError);
    expect(error).toMatchObject({
      kind: 'validation',
      message: expect.stringContaining('run that does not exist'),
    });
  });

  it('keeps its data after close and reopen', async () => {
    const path = join(dir, 'store.sqlite');
    const first = createSqliteStore({ path });
    await first.migrate();
    await first.createRun(testRun('run-1'));
    await first.saveBatch(
      [{ runId: 'run-1', recordId: 'PO-1', state: 'planned', label: 'urgent', confidence: 0.9, error: null }],
      [],
    );
    await first.close();

    const second = openStore(path);
    await second.migrate();
    expect(await second.getRun('run-1')).toEqual(testRun('run-1'));
    expect(await second.countItems('run-1')).toEqual({ planned: 1 });
  });

  it('close releases the file even when only synchronous writes ran', async () => {
    const path = join(dir, 'store.sqlite');
    const first = createSqliteStore({ path });
    await first.migrate();
    await first.close();
    const second = createSqliteStore({ path });
    await second.migrate();
    await second.appendAudit((tail) => entriesAfter(tail, 'only-writer'));
    await second.close();
    await expect(second.appendAudit((tail) => entriesAfter(tail, 'late'))).rejects.toThrow('not open');
    // The last connection to close checkpoints and removes the write-ahead log.
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('runs each migration once, however often migrate is called', async () => {
    const path = join(dir, 'store.sqlite');
    const store = openStore(path);
    await store.migrate();
    await store.migrate();
    await openStore(path).migrate();
    const file = new Database(path, { readonly: true });
    try {
      const names = file.prepare('select name from kysely_migration order by name').pluck().all();
      expect(names).toEqual(Object.keys(STORE_MIGRATIONS));
    } finally {
      file.close();
    }
  });

  it('migrates once when two stores on one file migrate at the same time', async () => {
    const path = join(dir, 'store.sqlite');
    await Promise.all([openStore(path).migrate(), openStore(path).migrate()]);
    const file = new Database(path, { readonly: true });
    try {
      expect(file.prepare('select count(*) from kysely_migration').pluck().get()).toBe(
        Object.keys(STORE_MIGRATIONS).length,
      );
    } finally {
      file.close();
    }
  });

  it('refuses a file migrated by a newer erpbridge', async () => {
    const path = join(dir, 'store.sqlite');
    await openStore(path).migrate();
    const file = new Database(path);
    file
      .prepare("insert into kysely_migration (name, timestamp) values ('9999-from-the-future', '2030-01-01')")
      .run();
    file.close();
    const error: unknown = await openStore(path)
      .migrate()
      .catch((rejection: unknown) => rejection);
    expect(error).toBeInstanceOf(ErpError);
    expect(error).toMatchObject({
      kind: 'permanent',
      message: expect.stringContaining('9999-from-the-future'),
    });
  });

  it('refuses to read a row written in a newer format', async () => {
    const path = join(dir, 'store.sqlite');
    const store = openStore(path);
    await store.migrate();
    await store.createRun(testRun('run-1'));
    const file = new Database(path);
    file.prepare("update runs set format_version = 2 where id = 'run-1'").run();
    file.close();
    const error: unknown = await store.getRun('run-1').catch((rejection: unknown) => rejection);
    expect(error).toBeInstanceOf(ErpError);
    expect(error).toMatchObject({
      kind: 'permanent',
      message: 'runs row run-1 has format 2; this erpbridge reads format 1',
    });
  });

  it('two stores on the same file see each other’s writes', async () => {
    const path = join(dir, 'store.sqlite');
    const engine = openStore(path);
    const console = openStore(path);
    await engine.migrate();
    await console.migrate();
    await engine.createRun(testRun('run-1'));
    await engine.saveBatch(
      [{ runId: 'run-1', recordId: 'PO-1', state: 'planned', label: 'urgent', confidence: 0.9, error: null }],
      [testChange('chg-1')],
    );
    expect(await console.getChange('chg-1')).toEqual(testChange('chg-1'));
    await console.updateChanges([{ id: 'chg-1', state: 'approved', decidedBy: 'anna' }]);
    expect(await engine.getChange('chg-1')).toMatchObject({ state: 'approved', decidedBy: 'anna' });
    await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        (index % 2 === 0 ? engine : console).appendAudit((tail) => entriesAfter(tail, `writer-${index}`)),
      ),
    );
    const seqs = (await engine.readAudit()).map((entry) => entry.seq);
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

describe('SQLite store across processes', () => {
  let dir: string;
  let store: Store;
  let path: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'erpbridge-sqlite-'));
    path = join(dir, 'store.sqlite');
    store = createSqliteStore({ path });
    await store.migrate();
  });

  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('two processes appending audit entries never fork the chain', async () => {
    const writer = startWriter(path, 'audit', '300');
    try {
      await writer.line((line) => line === 'ready');
      for (let index = 0; index < 300; index++) {
        await store.appendAudit((tail) => entriesAfter(tail, 'parent'));
      }
      expect(await writer.exited).toBe(0);
    } finally {
      writer.kill();
    }
    const entries = await store.readAudit();
    expect(entries.map((entry) => entry.seq)).toEqual(Array.from({ length: 600 }, (_, index) => index + 1));
    for (const [index, entry] of entries.entries()) {
      expect(entry.prevHash).toBe(index === 0 ? '0'.repeat(64) : entries[index - 1]?.hash);
    }
    expect(new Set(entries.map((entry) => entry.actor)).size).toBe(2);
  });

  it('a writer killed with SIGKILL leaves whole batches and a file the next process can use', async () => {
    await store.createRun(testRun('run-1'));
    const writer = startWriter(path, 'batches', 'run-1');
    try {
      await writer.line((line) => line === 'batch 20');
    } finally {
      writer.kill('SIGKILL');
    }
    await writer.exited;
    const next = createSqliteStore({ path });
    try {
      await next.migrate();
      const planned = (await next.countItems('run-1')).planned ?? 0;
      expect(planned).toBeGreaterThanOrEqual(2100);
      expect(planned % 100).toBe(0);
      await next.saveBatch(
        [
          {
            runId: 'run-1',
            recordId: 'PO-after-kill',
            state: 'planned',
            label: null,
            confidence: null,
            error: null,
          },
        ],
        [],
      );
      expect(await next.knownRecordIds('run-1', ['PO-after-kill'])).toEqual(new Set(['PO-after-kill']));
    } finally {
      await next.close();
    }
    const file = new Database(path, { readonly: true });
    try {
      expect(file.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      file.close();
    }
  });
});

interface Writer {
  /** Resolves with the first stdout line that matches; rejects if the process ends first. */
  line(matches: (line: string) => boolean): Promise<string>;
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
}

function startWriter(path: string, mode: 'audit' | 'batches', argument: string): Writer {
  const fixture = fileURLToPath(new URL('./store-writer.fixture.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, path, mode, argument], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout });
  return {
    line: (matches) =>
      new Promise((resolve, reject) => {
        lines.on('line', (line) => {
          if (matches(line)) resolve(line);
        });
        void exited.then((code) => reject(new Error(`writer exited (${code}) before the line: ${stderr}`)));
      }),
    exited,
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}
