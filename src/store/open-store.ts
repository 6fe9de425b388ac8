import type { Store } from './contract.ts';
import { createSqliteStore } from './sqlite/sqlite-store.ts';

/**
 * Which store to open: what `store:` in erpbridge.yaml says (the config's `StoreConfig` fits it).
 * `sqlite` is the embedded default; `postgres` is shared by every process of a distributed setup.
 */
export type StoreTarget =
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgres'; url: string; schema?: string; poolSize?: number };

/**
 * Opens the store a config names; call `migrate()` on it before use. The PostgreSQL store (and the
 * `pg` driver) is loaded only when asked for, so the embedded CLI does not pay for it.
 *
 * @example
 * const store = await openStore({ kind: 'postgres', url: 'postgres://erpbridge@db/erp', schema: 'erpbridge' });
 * await store.migrate();
 */
export async function openStore(target: StoreTarget): Promise<Store> {
  switch (target.kind) {
    case 'sqlite':
      return createSqliteStore({ path: target.path });
    case 'postgres': {
      const { createPostgresStore } = await import('./postgres/postgres-store.ts');
      return createPostgresStore({
        url: target.url,
        ...(target.schema === undefined ? {} : { schema: target.schema }),
        ...(target.poolSize === undefined ? {} : { poolSize: target.poolSize }),
      });
    }
  }
}
