export type { AuditEntry, LedgerEntry, Store, StoredModel } from './contract.ts';
export { createSqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.ts';
