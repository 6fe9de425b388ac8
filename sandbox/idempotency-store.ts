import type Database from 'better-sqlite3';

/** A write's response, kept under its Idempotency-Key so a retry is answered without applying again. */
export interface StoredResponse {
  poNumber: string;
  statusCode: number;
  etag: string;
  /** The JSON body exactly as first sent. */
  body: string;
}

/** Idempotency keys live in the database file, so they survive a restart of the sandbox. */
export interface IdempotencyStore {
  find(key: string): StoredResponse | null;
  remember(key: string, response: StoredResponse, at: string): void;
}

/** Creates the store over prepared statements. */
export function createIdempotencyStore(db: Database.Database): IdempotencyStore {
  const select = db.prepare<[string], StoredResponse>(
    `SELECT po_number AS poNumber, status_code AS statusCode, etag, body
     FROM idempotency_keys WHERE idempotency_key = ?`,
  );
  const insert = db.prepare<[string, string, number, string, string, string]>(
    `INSERT INTO idempotency_keys (idempotency_key, po_number, status_code, etag, body, created_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  return {
    find: (key) => select.get(key) ?? null,
    remember(key, response, at) {
      insert.run(key, response.poNumber, response.statusCode, response.etag, response.body, at);
    },
  };
}
