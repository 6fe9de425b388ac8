/**
 * The sandbox as a file-based ERP: it exports its purchase orders and suppliers as CSV into
 * `<dir>/outbound/` on a schedule, runs a batch import job over `<dir>/inbound/` that applies
 * priority changes through the REST API's own PATCH code and answers each file in
 * `<dir>/results/`, and optionally serves `<dir>` over SFTP. See sandbox/README.md.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { PatchOutcome, PatchRequest } from '../purchase-order-patch.ts';
import type { PurchaseOrderRepository } from '../purchase-order-repository.ts';
import type { SupplierRepository } from '../supplier-repository.ts';
import { createExportJob } from './export-job.ts';
import type { FileExchangeOptions } from './file-exchange-options.ts';
import { createImportJob } from './import-job.ts';
import { createImportLog, type ImportLogEntry } from './import-log.ts';
import { type SftpServer, startSftpServer } from './sftp-server.ts';

export { PO_EXPORT_COLUMNS, SUPPLIER_EXPORT_COLUMNS } from './export-job.ts';
export { FileExchangeOptions, type FileExchangeOptionsInput } from './file-exchange-options.ts';
export { IMPORT_COLUMNS, RESULT_COLUMNS } from './import-job.ts';
export type { ImportLogEntry } from './import-log.ts';

/** The SFTP endpoint serving the exchange folder. */
export interface SftpEndpoint {
  host: string;
  port: number;
  username: string;
  password: string;
  /** Pin it in the client: `SHA256:<base64>`. */
  hostKeySha256: string;
}

/** A running file exchange. */
export interface FileExchange {
  /** The exchange folder (absolute). */
  dir: string;
  outboundDir: string;
  inboundDir: string;
  resultsDir: string;
  /** Null unless `sftp` was asked for. */
  sftp: SftpEndpoint | null;
  /** Every import line processed so far, oldest first. */
  imports(): ImportLogEntry[];
  /** Writes an export of the open orders now (besides the schedule); returns its path. */
  exportNow(): string;
  /** Runs the import job now (besides the schedule); returns the files it imported. */
  importNow(): string[];
  /** Stops the jobs and the SFTP server. Safe to call twice. */
  close(): Promise<void>;
}

export interface FileExchangeDependencies {
  purchaseOrders: PurchaseOrderRepository;
  suppliers: SupplierRepository;
  patch: (request: PatchRequest) => PatchOutcome;
  logger: Logger;
}

/**
 * Creates the folders, writes the first exports (suppliers, the closed-order history, the open
 * orders), schedules the export and import jobs, and starts the SFTP server when asked.
 */
export async function startFileExchange(
  options: FileExchangeOptions,
  dependencies: FileExchangeDependencies,
): Promise<FileExchange> {
  const { logger } = dependencies;
  const dir = resolve(options.dir);
  const outboundDir = join(dir, 'outbound');
  const inboundDir = join(dir, 'inbound');
  const resultsDir = join(dir, 'results');
  for (const folder of [
    outboundDir,
    ...options.alsoExport.map((format) => join(outboundDir, format)),
    inboundDir,
    join(inboundDir, 'processing'),
    join(inboundDir, 'archive'),
    resultsDir,
    join(dir, 'log'),
  ]) {
    mkdirSync(folder, { recursive: true });
  }
  const log = createImportLog(join(dir, 'log', 'imports.jsonl'));
  const exports = createExportJob({
    purchaseOrders: dependencies.purchaseOrders,
    suppliers: dependencies.suppliers,
    outboundDir,
    doneMarkers: options.doneMarkers,
    alsoExport: options.alsoExport,
  });
  const runImport = createImportJob({ patch: dependencies.patch, inboundDir, resultsDir, log });

  exports.exportSuppliers();
  exports.exportHistory();
  exports.exportOpenOrders();

  // A failing job run is logged and tried again on schedule: a legacy batch job does not stop.
  const guarded = (job: string, run: () => unknown) => () => {
    try {
      run();
    } catch (error) {
      logger.warn({ err: error, job, dir }, `file exchange ${job} failed; trying again on schedule`);
    }
  };
  const exportTimer = setInterval(
    guarded('export', () => exports.exportOpenOrders()),
    options.exportEveryMs,
  );
  const importTimer = setInterval(guarded('import', runImport), options.importEveryMs);
  exportTimer.unref();
  importTimer.unref();

  let sftp: SftpServer | null = null;
  if (options.sftp !== undefined) {
    try {
      sftp = await startSftpServer({ root: dir, ...options.sftp });
    } catch (error) {
      clearInterval(exportTimer);
      clearInterval(importTimer);
      throw error;
    }
  }
  logger.info({ dir, sftp: sftp === null ? null : `${sftp.host}:${sftp.port}` }, 'file exchange running');

  let closing: Promise<void> | undefined;
  return {
    dir,
    outboundDir,
    inboundDir,
    resultsDir,
    sftp:
      sftp === null
        ? null
        : {
            host: sftp.host,
            port: sftp.port,
            username: sftp.username,
            password: sftp.password,
            hostKeySha256: sftp.hostKeySha256,
          },
    imports: () => log.list(),
    exportNow: () => exports.exportOpenOrders(),
    importNow: () => runImport(),
    close() {
      closing ??= (async () => {
        clearInterval(exportTimer);
        clearInterval(importTimer);
        await sftp?.close();
      })();
      return closing;
    },
  };
}
