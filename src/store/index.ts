export type { AuditEntry, DeadLetter, DeadLetterStage, LedgerEntry, Store, StoredModel } from './contract.ts';
export { createSqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.ts';
