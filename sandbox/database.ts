import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { SCHEMA_VERSION } from './schema.ts';
import { META_KEYS, type SeedCounts, seedDatabase, seedParametersKey } from './seed.ts';
import type { SeedParameters } from './seed-parameters.ts';

/** The sandbox's database file name inside its data directory; `dbPath` is always absolute. */
export const DATABASE_FILE = 'sandbox.sqlite';

/** An open sandbox database and how it came to be: reused as found, or seeded now. */
export interface OpenedDatabase {
  db: Database.Database;
  path: string;
  /** Why the file was (re)seeded, or null when an existing file was reused. */
  seedReason: string | null;
  seedCounts: SeedCounts | null;
  seedMs: number;
}

/**
 * Why the file at `path` cannot serve `parameters`, or null when it can: it must exist, be a
 * sandbox database of the current schema version, and have been seeded with the same parameters.
 */
export function reseedReason(path: string, parameters: SeedParameters): string | null {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    return `no usable database at ${path} (${error instanceof Error ? error.message : String(error)})`;
  }
  try {
    const read = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
    const version = read.get(META_KEYS.schemaVersion)?.value;
    if (version !== String(SCHEMA_VERSION)) {
      return `schema version ${version ?? 'unknown'} differs from ${SCHEMA_VERSION}`;
    }
    const stored = read.get(META_KEYS.seedParameters)?.value;
    const wanted = seedParametersKey(parameters);
    return stored === wanted ? null : `seeded with ${stored ?? 'unknown parameters'}, wanted ${wanted}`;
  } catch (error) {
    return `cannot read the seed parameters of ${path} (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    db.close();
  }
}

function removeDatabaseFiles(path: string): void {
  for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) rmSync(file, { force: true });
}

function openForServing(path: string): Database.Database {
  const db = new Database(path, { fileMustExist: true });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -65536');
  db.pragma('temp_store = MEMORY');
  db.pragma('mmap_size = 268435456');
  return db;
}

/**
 * Opens `${dataDir}/sandbox.sqlite`, reusing it when it was seeded with the same parameters and
 * reseeding it from scratch otherwise (or always, with `reset`). A seed is written to a temporary
 * file that replaces the old one only when complete, so an interrupted seed is never reused.
 */
export function openSandboxDatabase(
  dataDir: string,
  parameters: SeedParameters,
  reset: boolean,
): OpenedDatabase {
  mkdirSync(dataDir, { recursive: true });
  const path = resolve(dataDir, DATABASE_FILE);
  const reason = reset ? 'reset requested' : reseedReason(path, parameters);
  if (reason === null) {
    return { db: openForServing(path), path, seedReason: null, seedCounts: null, seedMs: 0 };
  }

  const started = performance.now();
  const seedingPath = `${path}.seeding-${process.pid}`;
  removeDatabaseFiles(seedingPath);
  const seeding = new Database(seedingPath);
  let seedCounts: SeedCounts;
  try {
    // Nothing to protect until the file is complete: no journal, no fsync while seeding.
    seeding.pragma('journal_mode = OFF');
    seeding.pragma('synchronous = OFF');
    seeding.pragma('cache_size = -131072');
    seedCounts = seedDatabase(seeding, parameters);
  } catch (error) {
    seeding.close();
    removeDatabaseFiles(seedingPath);
    throw error;
  }
  seeding.close();
  removeDatabaseFiles(path);
  renameSync(seedingPath, path);
  return {
    db: openForServing(path),
    path,
    seedReason: reason,
    seedCounts,
    seedMs: performance.now() - started,
  };
}
