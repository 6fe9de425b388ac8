import { appendFileSync } from 'node:fs';

/**
 * The sandbox ERP's record of its batch imports, one entry per line of an import file: what the
 * job did with it. Kept in memory for tests in the same process, and appended as JSON lines to
 * `<dir>/log/imports.jsonl` for anyone watching from outside.
 */

/** One import line and its outcome. */
export interface ImportLogEntry {
  /** When the job processed the file (ISO). */
  at: string;
  /** The import file's name. */
  file: string;
  /** The line in the import file, from 1 (0 for a problem with the whole file). */
  line: number;
  poNumber: string | null;
  status: 'applied' | 'rejected';
  /** `stale_version`, `not_found`, `invalid`, or '' when applied. */
  reason: string;
  message: string;
  /** True only when the line changed the record (not for a replay or a no-op): count these for exactly-once. */
  changed: boolean;
  reference: string | null;
}

export interface ImportLog {
  record(entry: ImportLogEntry): void;
  list(): ImportLogEntry[];
}

export function createImportLog(path: string): ImportLog {
  const entries: ImportLogEntry[] = [];
  return {
    record(entry) {
      entries.push(entry);
      appendFileSync(path, `${JSON.stringify(entry)}\n`);
    },
    list: () => [...entries],
  };
}
