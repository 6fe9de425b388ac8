import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './0001-initial.ts';
import * as deadLetters from './0002-dead-letters.ts';
import * as service from './0003-service.ts';
import * as watermarks from './0004-watermarks.ts';
import * as outbox from './0005-outbox.ts';
import * as labeledEdits from './0006-labeled-edits.ts';

/**
 * Every migration, by name. Names sort in the order they run; a new migration gets the next number
 * (`0002-…`) and is added here. A migration once released is never edited: write the next one.
 */
export const STORE_MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-initial': initial,
  '0002-dead-letters': deadLetters,
  '0003-service': service,
  '0004-watermarks': watermarks,
  '0005-outbox': outbox,
  '0006-labeled-edits': labeledEdits,
};

/** Kysely's migration provider over the in-code list, so no files are read at run time. */
export const storeMigrationProvider: MigrationProvider = {
  getMigrations: async () => ({ ...STORE_MIGRATIONS }),
};
