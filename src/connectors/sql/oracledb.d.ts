/**
 * The part of node-oracledb's API erpbridge uses, typed: the package ships no declarations, and
 * kysely-oracledb's refer to `Pool`, `Connection` and `ExecuteOptions` from here.
 */
declare module 'oracledb' {
  /** A database type constant such as `DB_TYPE_DATE`; compared by identity. */
  export interface DbType {
    readonly name: string;
  }

  export interface Metadata {
    name: string;
    dbType?: DbType;
  }

  export interface ExecuteOptions {
    outFormat?: number;
    autoCommit?: boolean;
    /** Per column: fetch as another type (text, here) instead of the default conversion. */
    fetchTypeHandler?: (metadata: Metadata) => { type: DbType } | undefined;
  }

  export interface Result {
    rows?: unknown[];
    rowsAffected?: number;
    outBinds?: unknown;
  }

  export interface Connection {
    /** Milliseconds any round trip may take before it is cancelled. */
    callTimeout: number;
    execute(sql: string, binds?: unknown, options?: ExecuteOptions): Promise<Result>;
    commit(): Promise<void>;
    rollback(): Promise<void>;
    close(): Promise<void>;
  }

  export interface Pool {
    getConnection(): Promise<Connection>;
    close(drainTime?: number): Promise<void>;
  }

  export interface PoolAttributes {
    user?: string;
    password?: string;
    connectString: string;
    poolMin?: number;
    poolMax?: number;
    poolIncrement?: number;
    /** Seconds to wait for a connection to be established (thin mode). */
    connectTimeout?: number;
    /** Runs once for each new session, before it is handed out. */
    sessionCallback?: (connection: Connection, requestedTag: string, done: (error?: Error) => void) => void;
  }

  interface OracleDb {
    createPool(attributes: PoolAttributes): Promise<Pool>;
    readonly OUT_FORMAT_OBJECT: number;
    readonly STRING: DbType;
    readonly DB_TYPE_DATE: DbType;
    readonly DB_TYPE_TIMESTAMP: DbType;
    readonly DB_TYPE_TIMESTAMP_TZ: DbType;
    readonly DB_TYPE_TIMESTAMP_LTZ: DbType;
    readonly DB_TYPE_NUMBER: DbType;
  }

  const oracledb: OracleDb;
  export default oracledb;
}
