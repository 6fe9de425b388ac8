/**
 * A second process writing to a SQLite store, for the cross-process tests in sqlite-store.test.ts.
 *
 *   node --import tsx store-writer.fixture.ts <path> audit <count>    appends <count> audit entries
 *   node --import tsx store-writer.fixture.ts <path> batches <runId>  saves 100-item batches until killed
 *
 * Prints `ready` once migrated, then `done` when finished (audit) or one line per batch (batches).
 */
import { entriesAfter } from '../test-records.ts';
import { createSqliteStore } from './sqlite-store.ts';

const [path, mode, argument] = process.argv.slice(2);
if (path === undefined || argument === undefined || (mode !== 'audit' && mode !== 'batches')) {
  console.error('usage: store-writer.fixture.ts <path> audit <count> | batches <runId>');
  process.exit(2);
}

const store = createSqliteStore({ path });
await store.migrate();
console.log('ready');

if (mode === 'audit') {
  for (let index = 0; index < Number(argument); index++) {
    await store.appendAudit((tail) => entriesAfter(tail, `child-${process.pid}`));
  }
  await store.close();
  console.log('done');
} else {
  for (let batch = 0; ; batch++) {
    const items = Array.from({ length: 100 }, (_, index) => ({
      runId: argument,
      recordId: `PO-${String(batch * 100 + index).padStart(8, '0')}`,
      state: 'planned' as const,
      label: 'urgent',
      confidence: 0.9,
      error: null,
    }));
    await store.saveBatch(items, []);
    console.log(`batch ${batch}`);
  }
}
