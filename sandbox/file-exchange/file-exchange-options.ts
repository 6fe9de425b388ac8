import { z } from 'zod';

/**
 * The sandbox as a file-based ERP: where it exchanges files and how often its jobs run.
 *
 * @example
 *   startSandbox({ dataDir, fileExchange: { dir: '/tmp/erp', exportEveryMs: 60000, importEveryMs: 5000 } })
 */
export const FileExchangeOptions = z.strictObject({
  /** The exchange folder: `outbound/` (exports), `inbound/` (imports), `results/`, `log/`. Created if missing. */
  dir: z.string().min(1),
  /** How often open orders are exported, ms. Default 60000. The first export is written at start. */
  exportEveryMs: z.int().min(10).max(86_400_000).default(60_000),
  /** How often the import job reads `inbound/`, ms. Default 5000. */
  importEveryMs: z.int().min(10).max(86_400_000).default(5000),
  /** Also write `<export>.done` after each export, for consumers that wait for a marker. Default false. */
  doneMarkers: z.boolean().default(false),
  /**
   * Also export the open orders as SAP IDoc XML (ORDERS05, into `outbound/idoc/`) and ANSI X12 850
   * (into `outbound/x12/`), written with src/formats. Default none: CSV only.
   */
  alsoExport: z.array(z.enum(['idoc', 'x12'])).default([]),
  /** Serve the exchange folder over SFTP as well (an in-process ssh2 server, a fresh host key per start). */
  sftp: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      /** 0 (default) picks a free port. */
      port: z.int().min(0).max(65_535).default(0),
      username: z.string().min(1).default('erp'),
      password: z.string().min(1).default('sandbox-sftp'),
      /** Also accept this public key for the user (an OpenSSH `ssh-ed25519 AAAA…` line). */
      authorizedKey: z.string().min(1).optional(),
    })
    .optional(),
});
export type FileExchangeOptions = z.infer<typeof FileExchangeOptions>;
/** The options as written, defaults optional. */
export type FileExchangeOptionsInput = z.input<typeof FileExchangeOptions>;
