export type { AuditEntry, DeadLetter, DeadLetterStage, LedgerEntry, Store, StoredModel } from './contract.ts';
export { openStore, type StoreTarget } from './open-store.ts';
export { createSqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.ts';
