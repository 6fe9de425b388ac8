/**
 * The sandbox ERP: a legacy-ERP simulator with its data in a real SQLite file, seeded
 * deterministically, serving purchase orders and suppliers over REST. The default target of the
 * demo, the tests and the benchmark. See sandbox/README.md.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { openSandboxDatabase } from './database.ts';
import { readExpenseLineFile } from './expense-lines/expense-line-file.ts';
import { createExpenseLineRepository } from './expense-lines/expense-line-repository.ts';
import type { FaultConfig } from './fault-config.ts';
import { createFaultInjector } from './fault-injector.ts';
import {
  type FileExchange,
  type FileExchangeOptionsInput,
  startFileExchange,
} from './file-exchange/index.ts';
import { createIdempotencyStore } from './idempotency-store.ts';
import { createAccountsPayable } from './invoices/routes.ts';
import { createOAuthTokenStore } from './oauth-tokens.ts';
import { createPurchaseOrderPatcher } from './purchase-order-patch.ts';
import { createPurchaseOrderRepository } from './purchase-order-repository.ts';
import { createRequestLog } from './request-log.ts';
import { resolveSandboxOptions } from './sandbox-options.ts';
import { buildSandboxApp } from './server.ts';
import {
  createSoapPersonality,
  type Personality,
  type SoapPersonality,
  type WindowsAccount,
  wsdlListing,
} from './soap/index.ts';
import { createSupplierRepository } from './supplier-repository.ts';
import { readTruthLabels } from './truth-repository.ts';

export { FaultConfig, type FaultConfigParse, type FaultTarget, parseFaultConfig } from './fault-config.ts';
export { readFaultConfigFile } from './fault-config-file.ts';
export type { FaultLabel } from './fault-injector.ts';
export type {
  FileExchange,
  FileExchangeOptionsInput,
  ImportLogEntry,
  SftpEndpoint,
} from './file-exchange/index.ts';
export type { UrgencyLabel } from './hidden-rules.ts';
export type { PurchaseOrderLineRecord, PurchaseOrderRecord, SupplierRecord } from './records.ts';
export type { RequestLogEntry } from './request-log.ts';
export { DEFAULT_WINDOWS_ACCOUNT, PERSONALITIES, type Personality, type WsdlListing } from './soap/index.ts';

/** How to start a sandbox. Only `dataDir` is required. */
export interface SandboxOptions {
  /** The SQLite file is `${dataDir}/sandbox.sqlite`; the directory is created if missing. */
  dataDir: string;
  /** Default 4010; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 42. */
  seed?: number;
  /** Open purchase orders, default 5000. */
  orders?: number;
  /** Closed orders with a buyer-set priority (the training history), default 20000. */
  history?: number;
  /** Default 200. */
  suppliers?: number;
  /** Business date `YYYY-MM-DD` the data is generated around; default today's UTC date. */
  today?: string;
  /** Default `sandbox-key`. */
  apiKey?: string;
  /** Reseed even when the file exists with the same parameters. */
  reset?: boolean;
  /**
   * Info logs on stderr: the seeding, the listening address and one line per request. Default true.
   * Warnings and errors are logged either way.
   */
  logRequests?: boolean;
  /**
   * Faults to inject from the start (see {@link FaultConfig} and sandbox/README.md); none by
   * default. Replace them at run time with `POST /_sandbox/faults`, clear them with `DELETE`.
   */
  faults?: FaultConfig;
  /**
   * Also be a file-based ERP: export orders as CSV into `<dir>/outbound/` every `exportEveryMs`,
   * import priority changes from `<dir>/inbound/` every `importEveryMs` (results in `<dir>/results/`),
   * optionally over SFTP. See sandbox/file-exchange/ and sandbox/README.md.
   */
  fileExchange?: FileExchangeOptionsInput;
  /**
   * Also serve the purchase orders the way this ERP does, over SOAP beside `/api` (same data,
   * request log and faults): `sap-ecc`, `oracle-ebs` or `dynamics-ax`. See sandbox/README.md.
   */
  personality?: Personality;
  /**
   * Also serve expense lines to GL-code, loaded at start from a CSV (the columns of
   * ../shared/data/gl-coding/train.csv): lines dated before `codedBefore` come with their code (the
   * history), later ones uncoded, their true code kept for `/_sandbox/expense-lines/truth`. Without
   * `codedBefore` every line keeps its code. See sandbox/expense-lines/README.md.
   */
  expenseLines?: { file: string; codedBefore?: string | null };
  /** The Windows account dynamics-ax accepts over NTLM; default CONTOSO\erpbridge, `Sandbox-AX-2012`. */
  windowsAccount?: Partial<WindowsAccount>;
}

/** A running sandbox. */
export interface Sandbox {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  apiKey: string;
  dbPath: string;
  /** The business date the data was generated around. */
  today: string;
  /** The SOAP personality served beside `/api`, or null. */
  personality: Personality | null;
  /** The WSDL URLs the personality publishes (empty without one), as `GET /_sandbox/wsdl` lists them. */
  wsdl: string[];
  /** The file exchange, when `fileExchange` was given; null otherwise. */
  fileExchange: FileExchange | null;
  /**
   * Stops the server and closes the database. Requests in flight finish (their injected delays cut
   * short); hung requests and idle connections are destroyed. Safe to call twice.
   */
  close(): Promise<void>;
}

/**
 * Starts the sandbox: opens `${dataDir}/sandbox.sqlite` (reused when it was seeded with the same
 * seed, orders, history, suppliers and today; reseeded otherwise) and serves the REST API.
 *
 * @example
 * const sandbox = await startSandbox({ dataDir: '.erpbridge/sandbox', port: 0 });
 * const response = await fetch(`${sandbox.url}/api/purchase_orders?status=open`, {
 *   headers: { authorization: `Bearer ${sandbox.apiKey}` },
 * });
 * await sandbox.close();
 */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const resolved = resolveSandboxOptions(options);
  const destination = pino.destination({ dest: 2, sync: false });
  const logger = pino({ name: 'sandbox', level: resolved.logRequests ? 'info' : 'warn' }, destination);
  const { parameters } = resolved;
  const opened = openSandboxDatabase(resolved.dataDir, parameters, resolved.reset);
  const { db } = opened;
  if (opened.seedReason !== null) {
    logger.info(
      { dbPath: opened.path, reason: opened.seedReason, ms: Math.round(opened.seedMs), ...opened.seedCounts },
      'seeded the sandbox database',
    );
  }
  let app: FastifyInstance | undefined;
  let fileExchange: FileExchange | null = null;
  let soap: SoapPersonality | null = null;
  try {
    const purchaseOrders = createPurchaseOrderRepository(db);
    const suppliers = createSupplierRepository(db);
    const patch = createPurchaseOrderPatcher({ db, purchaseOrders, idempotency: createIdempotencyStore(db) });
    const { personality, windowsAccount } = resolved;
    if (personality !== null) {
      soap = createSoapPersonality(personality, { db, purchaseOrders, suppliers, patch, windowsAccount });
    }
    app = buildSandboxApp({
      purchaseOrders,
      suppliers,
      patch,
      truthLabels: () => readTruthLabels(db),
      requestLog: createRequestLog(),
      faults: createFaultInjector(resolved.faults),
      oauthTokens: createOAuthTokenStore(),
      apiKey: resolved.apiKey,
      today: parameters.today,
      logger,
      logRequests: resolved.logRequests,
      personality: soap,
      accountsPayable: createAccountsPayable(db, createIdempotencyStore(db)),
      ...(options.expenseLines
        ? {
            expenseLines: createExpenseLineRepository(db, {
              lines: readExpenseLineFile(options.expenseLines.file),
              codedBefore: options.expenseLines.codedBefore ?? null,
            }),
          }
        : {}),
    });
    await app.listen({ port: resolved.port, host: resolved.host });
    if (resolved.fileExchange !== null) {
      fileExchange = await startFileExchange(resolved.fileExchange, {
        purchaseOrders,
        suppliers,
        patch,
        logger,
      });
    }
  } catch (error) {
    await fileExchange?.close();
    await app?.close();
    db.close();
    throw error;
  }
  const server = app;
  const address: AddressInfo | string | null = server.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : resolved.port;
  const host = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host;
  const url = `http://${host}:${port}`;
  logger.info({ url, dbPath: opened.path, today: parameters.today }, 'sandbox listening');
  let closing: Promise<void> | undefined;
  return {
    url,
    apiKey: resolved.apiKey,
    dbPath: opened.path,
    today: parameters.today,
    fileExchange,
    personality: resolved.personality,
    wsdl: wsdlListing(soap, url).wsdl,
    close() {
      closing ??= (async () => {
        try {
          await fileExchange?.close();
          await server.close();
        } finally {
          db.close();
          await flushLogger(logger);
        }
      })();
      return closing;
    },
  };
}

function flushLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    logger.flush((error) => {
      if (error) process.stderr.write(`sandbox: could not flush its log: ${error.message}\n`);
      resolve();
    });
  });
}
