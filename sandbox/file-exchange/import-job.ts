import { readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { PatchOutcome, PatchRequest } from '../purchase-order-patch.ts';
import { etagOf } from '../record-version.ts';
import { freePath, writeFileAtomic } from './atomic-file.ts';
import { EXCHANGE_CSV } from './export-job.ts';
import type { ImportLog, ImportLogEntry } from './import-log.ts';

/**
 * The sandbox ERP's batch import of priority changes — the seed's CSV write-back, done safely. An
 * import file in `inbound/` (`;`-separated, UTF-8, header line) has the columns
 * `po_number;priority[;expected_updated_at][;reference]`. The job claims each file (a rename into
 * `inbound/processing/`), applies its lines in order through the same PATCH code the REST API uses
 * (so versions move the same way, an expected version that no longer matches is rejected, and a
 * reference already applied is answered from the idempotency store), writes
 * `results/<file>.result.csv` atomically, and moves the file to `inbound/archive/`.
 *
 * The result has one line per input line: `po_number;status;reason;message;updated_at` with status
 * `applied` or `rejected`, reason `stale_version`, `not_found` or `invalid`, and the order's
 * `updated_at` after the line. A file the job cannot read at all gets one result line with an empty
 * `po_number` saying why.
 */

export const IMPORT_COLUMNS = ['po_number', 'priority', 'expected_updated_at', 'reference'] as const;
export const RESULT_COLUMNS = ['po_number', 'status', 'reason', 'message', 'updated_at'] as const;

export interface ImportJobDependencies {
  patch: (request: PatchRequest) => PatchOutcome;
  inboundDir: string;
  resultsDir: string;
  log: ImportLog;
  now?: () => Date;
}

type ResultRow = [
  poNumber: string,
  status: 'applied' | 'rejected',
  reason: string,
  message: string,
  updatedAt: string,
];

/** Runs the import job once over every file waiting; returns the names of the files it processed. */
export function createImportJob(dependencies: ImportJobDependencies): () => string[] {
  const { patch, inboundDir, resultsDir, log } = dependencies;
  const now = dependencies.now ?? (() => new Date());
  const processingDir = join(inboundDir, 'processing');
  const archiveDir = join(inboundDir, 'archive');

  const importFile = (name: string): void => {
    const claimed = join(processingDir, name);
    const at = now().toISOString();
    const results: ResultRow[] = [];
    const note = (entry: Omit<ImportLogEntry, 'at' | 'file'>, updatedAt = '') => {
      log.record({ at, file: name, ...entry });
      results.push([entry.poNumber ?? '', entry.status, entry.reason, entry.message, updatedAt]);
    };
    let rows: { record: string[]; line: number }[];
    try {
      const text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(claimed));
      const lineNumbers: number[] = [];
      const records = parse(text, {
        delimiter: ';',
        relax_column_count: true,
        skip_empty_lines: true,
        bom: true,
        on_record: (record: string[], context) => {
          lineNumbers.push(context.lines);
          return record;
        },
      });
      rows = records.map((record, position) => ({ record, line: lineNumbers[position] ?? 0 }));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      note({
        line: 0,
        poNumber: null,
        status: 'rejected',
        reason: 'invalid',
        message: `cannot read the file: ${reason}`,
        changed: false,
        reference: null,
      });
      rows = [];
    }
    const [header, ...lines] = rows;
    const columns = header?.record.map((column) => column.trim()) ?? [];
    const unknown = columns.find((column) => !IMPORT_COLUMNS.some((known) => known === column));
    const index = (column: string) => columns.indexOf(column);
    if (
      header !== undefined &&
      (unknown !== undefined || index('po_number') === -1 || index('priority') === -1)
    ) {
      const message =
        unknown !== undefined
          ? `line 1: unknown column "${unknown}" (the import takes ${IMPORT_COLUMNS.join(', ')})`
          : `line 1: the header needs po_number and priority (the import takes ${IMPORT_COLUMNS.join(', ')})`;
      note({
        line: 1,
        poNumber: null,
        status: 'rejected',
        reason: 'invalid',
        message,
        changed: false,
        reference: null,
      });
    } else {
      for (const { record, line } of lines) {
        const field = (column: string) => (index(column) === -1 ? '' : (record[index(column)] ?? '').trim());
        const poNumber = field('po_number');
        const reference = field('reference') || null;
        const expected = field('expected_updated_at');
        if (record.length !== columns.length) {
          const message = `line ${line}: ${record.length} fields where the header has ${columns.length}`;
          note({ line, poNumber, status: 'rejected', reason: 'invalid', message, changed: false, reference });
          continue;
        }
        const outcome = patch({
          poNumber,
          body: { priority: field('priority') },
          ifMatch: expected === '' ? null : etagOf(expected),
          idempotencyKey: reference,
        });
        switch (outcome.kind) {
          case 'updated': {
            const message = outcome.applied
              ? `priority set to ${field('priority')}`
              : `priority was already ${field('priority')}; nothing changed`;
            note(
              { line, poNumber, status: 'applied', reason: '', message, changed: outcome.applied, reference },
              updatedAtOf(outcome.body),
            );
            break;
          }
          case 'replayed':
            note(
              {
                line,
                poNumber,
                status: 'applied',
                reason: '',
                message: `already applied under reference ${reference ?? ''}`,
                changed: false,
                reference,
              },
              updatedAtOf(outcome.body),
            );
            break;
          case 'precondition_failed': {
            const current = outcome.currentEtag.replaceAll('"', '');
            const message = `changed since ${expected} (now ${current}), not applied`;
            note(
              {
                line,
                poNumber,
                status: 'rejected',
                reason: 'stale_version',
                message,
                changed: false,
                reference,
              },
              current,
            );
            break;
          }
          case 'not_found':
            note({
              line,
              poNumber,
              status: 'rejected',
              reason: 'not_found',
              message: `no purchase order ${poNumber}`,
              changed: false,
              reference,
            });
            break;
          case 'invalid':
            note({
              line,
              poNumber,
              status: 'rejected',
              reason: 'invalid',
              message: outcome.message,
              changed: false,
              reference,
            });
            break;
        }
      }
    }
    writeFileAtomic(
      join(resultsDir, `${name}.result.csv`),
      stringify([[...RESULT_COLUMNS], ...results], EXCHANGE_CSV),
    );
    renameSync(claimed, freePath(archiveDir, name));
  };

  return () => {
    const processed: string[] = [];
    // Files a crash left claimed first, then the inbox in name order.
    const leftovers = readdirSync(processingDir, { withFileTypes: true }).filter((entry) => entry.isFile());
    for (const entry of leftovers) {
      importFile(entry.name);
      processed.push(entry.name);
    }
    const waiting = readdirSync(inboundDir, { withFileTypes: true })
      .filter(
        (entry) => entry.isFile() && !entry.name.startsWith('.') && entry.name.toLowerCase().endsWith('.csv'),
      )
      .map((entry) => entry.name)
      .sort();
    for (const name of waiting) {
      try {
        renameSync(join(inboundDir, name), join(processingDir, name));
      } catch (error) {
        // Withdrawn by its sender between the listing and the claim: not ours to import.
        if (error instanceof Error && Reflect.get(error, 'code') === 'ENOENT') continue;
        throw error;
      }
      importFile(name);
      processed.push(name);
    }
    return processed;
  };
}

function updatedAtOf(body: string): string {
  const parsed: unknown = JSON.parse(body);
  const value = typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'updated_at') : undefined;
  return typeof value === 'string' ? value : '';
}
