import iconv from 'iconv-lite';
import { z } from 'zod';

/**
 * The `files` connector's configuration, as written under `connectors.<name>` in erpbridge.yaml.
 * Every option has a documented default; contradictory combinations fail at load time with a
 * message naming the option.
 *
 * Folder names are from the connector's side: `inbound.dir` is where the ERP *exports* (its
 * outbound folder), `entities.<e>.write.dir` is where the ERP's import job picks files up.
 *
 * @example
 *   kind: files
 *   transport: { kind: sftp, host: erp.example.com, username: erpbridge,
 *                privateKey: "${file:/run/secrets/erp_key}", hostKeySha256: "SHA256:…", root: /exchange }
 *   stateDir: /var/lib/erpbridge/files-erp
 *   csv: { delimiter: ";", encoding: windows-1252 }
 *   inbound: { dir: outbound, stableMs: 5000 }
 *   entities:
 *     purchase_orders:
 *       files: "po-*.csv"
 *       keyField: po_number
 *       versionField: updated_at
 *       write:
 *         dir: inbound
 *         fileName: "po-priority-{batch}.csv"
 *         columns: [priority]
 *         versionColumn: expected_updated_at
 *         referenceColumn: reference
 */

const credential = z
  .string()
  .min(1, 'must not be empty')
  .refine((value) => !/[\r\n\0]/.test(value), 'must not contain line breaks');

/** A folder below the transport's root: relative, forward slashes, no `..`. */
const RelativeDir = z
  .string()
  .min(1)
  .refine(
    (value) => !value.startsWith('/') && !value.split('/').some((part) => part === '..' || part === ''),
    'a folder below transport.root, such as "outbound" or "erp/outbound" (no leading "/", no "..")',
  );

/** A file-name pattern: `*` any characters, `?` one; no folders. */
const NamePattern = z
  .string()
  .min(1)
  .refine((value) => !value.includes('/'), 'a file-name pattern such as "po-*.csv", without folders');

/** A single file-name segment used as a column or field name. */
const ColumnName = z.string().min(1);

const LocalTransport = z.strictObject({
  kind: z.literal('local'),
  /** The exchange folder every other folder is relative to; a relative path is the config file's folder's. */
  root: z.string().min(1),
});

const SftpTransport = z
  .strictObject({
    kind: z.literal('sftp'),
    host: z.string().min(1),
    /** Default 22. */
    port: z.int().min(1).max(65_535).default(22),
    username: credential,
    /** Password authentication; or `privateKey`. */
    password: credential.optional(),
    /** The private key's text (OpenSSH or PEM), e.g. `${file:/run/secrets/erp_key}`. */
    privateKey: z.string().min(1).optional(),
    passphrase: z.string().min(1).optional(),
    /**
     * The server's host key fingerprint as `ssh-keygen -lf` prints it (`SHA256:base64`); the
     * connection is refused when the server presents another key.
     */
    hostKeySha256: z
      .string()
      .regex(
        /^(SHA256:)?[A-Za-z0-9+/]{43}=?$/,
        'a SHA-256 fingerprint such as "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8"',
      )
      .optional(),
    /** Accept any host key (a test server). Default false: set hostKeySha256 instead. */
    acceptAnyHostKey: z.boolean().default(false),
    /** The exchange folder on the server; default `.` (the login folder). */
    root: z.string().min(1).default('.'),
    /** Bound on the SSH handshake and authentication, ms. Default 20000. */
    readyTimeoutMs: z.int().min(100).max(600_000).default(20_000),
  })
  .superRefine((transport, context) => {
    if ((transport.password === undefined) === (transport.privateKey === undefined)) {
      context.addIssue({
        code: 'custom',
        path: ['password'],
        message: 'set exactly one of transport.password and transport.privateKey',
      });
    }
    if (transport.passphrase !== undefined && transport.privateKey === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['passphrase'],
        message: 'transport.passphrase belongs to transport.privateKey, which is not set',
      });
    }
    if (transport.hostKeySha256 === undefined && !transport.acceptAnyHostKey) {
      context.addIssue({
        code: 'custom',
        path: ['hostKeySha256'],
        message:
          'set transport.hostKeySha256 to the server key fingerprint (ssh-keyscan HOST | ssh-keygen -lf -), or acceptAnyHostKey: true for a test server',
      });
    }
  });

const CsvDialect = z.strictObject({
  /** Field delimiter, one character. Default `,`. */
  delimiter: z.string().length(1, 'one character, such as ";" or ","').default(','),
  /** Quote character: `"` (default) or `'`. */
  quote: z.enum(['"', "'"]).default('"'),
  /**
   * Text encoding of the files: `utf-8` (default: checked strictly; a UTF-16 byte order mark is
   * honoured) or any encoding iconv-lite knows (`windows-1252`, `iso-8859-15`, `utf-16le`, …).
   * Import files are written in it too.
   */
  encoding: z
    .string()
    .default('utf-8')
    .refine((name) => iconv.encodingExists(name), 'an encoding such as utf-8, windows-1252 or iso-8859-1'),
  /** A record longer than this many characters refuses the file (a missing line break, mostly). Default 1 MiB. */
  maxRecordLength: z
    .int()
    .min(64)
    .max(256 * 1024 * 1024)
    .default(1024 * 1024),
});

const Inbound = z.strictObject({
  /** Where the ERP drops its exports, below transport.root. Default `outbound`. */
  dir: RelativeDir.default('outbound'),
  /**
   * How new files are noticed: `events` (chokidar; local only), `poll` (list every pollMs), or
   * `auto` (default): events plus polling locally, polling over SFTP. Polling always runs as a
   * safety net because file events are lost on network shares.
   */
  watch: z.enum(['auto', 'events', 'poll']).default('auto'),
  /** How often the folder is listed, ms. Default 2000. */
  pollMs: z.int().min(10).max(3_600_000).default(2000),
  /** A file is claimed when its size and mtime have not changed for this long, ms. Default 2000. */
  stableMs: z.int().min(0).max(3_600_000).default(2000),
  /**
   * Claim a file only when `<name><doneMarker>` exists (e.g. `.done`, `.ok`), written by the ERP
   * after the data file; the size/mtime window is then not needed. Absent: the window decides.
   */
  doneMarker: z
    .string()
    .regex(/^\.[A-Za-z0-9_-]{1,16}$/, 'a suffix such as ".done" or ".ok"')
    .optional(),
  /** Folders below `dir` a file moves through: claimed, processed, refused. */
  processingDir: RelativeDir.default('processing'),
  doneDir: RelativeDir.default('done'),
  errorDir: RelativeDir.default('error'),
  /** How long a read waits for files that are still being written before it reads without them, ms. Default 30000. */
  waitForFilesMs: z.int().min(0).max(3_600_000).default(30_000),
  /** Files to leave alone (patterns); names starting with "." are always left alone (temporary files). */
  ignore: z.array(NamePattern).default([]),
});

const Results = z.strictObject({
  /** Where the ERP's import job writes one result file per import file, below transport.root. Default `results`. */
  dir: RelativeDir.default('results'),
  /** The result file's name; `{file}` is the import file's name. Default `{file}.result.csv`. */
  fileName: z
    .string()
    .includes('{file}', { message: 'must contain {file}' })
    .refine((value) => !value.includes('/'), 'a file name, without folders')
    .default('{file}.result.csv'),
  /** Column with the record's key; default the write's keyColumn. */
  keyColumn: ColumnName.optional(),
  /** Column with the outcome per line. Default `status`. */
  statusColumn: ColumnName.default('status'),
  /** Status values that mean the change was applied. Default `[applied]`; anything else is a rejection. */
  appliedStatuses: z.array(z.string().min(1)).min(1).default(['applied']),
  /** Column with a machine-readable rejection reason, when the ERP writes one. Default `reason`; null: none. */
  reasonColumn: ColumnName.nullable().default('reason'),
  /** Rejection reasons that mean someone else changed the record first (a conflict). Default `[stale_version]`. */
  conflictReasons: z.array(z.string().min(1)).default(['stale_version']),
  /** Column with the ERP's message. Default `message`. */
  messageColumn: ColumnName.default('message'),
  /** Column with the record's version after the change; default the entity's versionField. */
  versionColumn: ColumnName.optional(),
  /** A result file is read when unchanged for this long, ms; default inbound.stableMs (0 for ERPs that write results atomically). */
  stableMs: z.int().min(0).max(3_600_000).optional(),
});

const Write = z.strictObject({
  /** Where the ERP's import job picks files up, below transport.root. Default `inbound`. */
  dir: RelativeDir.default('inbound'),
  /**
   * The import file's name; `{batch}` becomes a hash of the file's content, so the same batch always
   * has the same name and a re-sent batch is recognised. Default `<entity>-{batch}.csv`.
   */
  fileName: z
    .string()
    .includes('{batch}', { message: 'must contain {batch}' })
    .refine(
      (value) => !value.includes('/') && !value.startsWith('.'),
      'a file name, without folders or a leading "."',
    )
    .optional(),
  /** The vendor fields the import accepts, in column order. At least one. */
  columns: z.array(ColumnName).min(1),
  /** Column with the record's key; default the entity's keyField. */
  keyColumn: ColumnName.optional(),
  /**
   * Column with the version the change expects (the record's version when it was read); the ERP
   * rejects the line when the record moved on. Null: not sent, and concurrent edits go unnoticed.
   * Default `expected_version`.
   */
  versionColumn: ColumnName.nullable().default('expected_version'),
  /** Column with the change's idempotency key, for ERPs that deduplicate by reference. Absent: not sent. */
  referenceColumn: ColumnName.optional(),
  batch: z
    .strictObject({
      /** Changes per import file at most. Default 500. */
      maxChanges: z.int().min(1).max(100_000).default(500),
      /** How long the first change of a batch waits for others before the file is written, ms. Default 200. */
      maxWaitMs: z.int().min(0).max(60_000).default(200),
    })
    .prefault({}),
  /**
   * How long a write waits for the ERP's result file, ms. Default 120000. Keep
   * `resilience.timeoutMs` above it, or the resilience layer gives up on the write first.
   */
  resultTimeoutMs: z.int().min(10).max(86_400_000).default(120_000),
  /** Where an import file the ERP has not taken by the timeout is moved, below `dir`. Default `withdrawn`. */
  withdrawnDir: RelativeDir.default('withdrawn'),
  results: Results.prefault({}),
});

const LineGrouping = z.strictObject({
  /** The record field that holds the lines. Default `lines`. */
  field: z.string().min(1).default('lines'),
  /** CSV column → line field, e.g. `{ line_no: line_no, line_description: description }`. */
  columns: z
    .record(ColumnName, z.string().min(1))
    .refine((columns) => Object.keys(columns).length > 0, 'name at least one line column'),
});

const Entity = z.strictObject({
  /** Which export files hold this entity (a pattern such as `po-*.csv`). */
  files: NamePattern,
  /** Column holding the record's key; a row without it refuses the file. */
  keyField: ColumnName,
  /** Column holding the record's version (a change timestamp or counter). Absent: versions are null. */
  versionField: ColumnName.optional(),
  /**
   * The export has one row per order line: rows with the same key are one record, its header
   * fields from the first row and these columns gathered into `field`. Absent: one row, one record.
   */
  lines: LineGrouping.optional(),
  /** How changes are written as import files; absent means the entity is read-only. */
  write: Write.optional(),
});

/** The schema of a `files` connector's configuration. */
export const FilesConfigSchema = z
  .strictObject({
    kind: z.literal('files'),
    transport: z.discriminatedUnion('kind', [LocalTransport, SftpTransport]),
    /**
     * A local folder for the connector's own state: the records of the exports read so far and the
     * ledger of processed files (one SQLite file). Default `.erpbridge/files/<connector name>`;
     * a relative path is the config file's folder's.
     */
    stateDir: z.string().min(1).optional(),
    csv: CsvDialect.prefault({}),
    inbound: Inbound.prefault({}),
    /** Vendor entity name → its export files and, optionally, how it is written. At least one. */
    entities: z
      .record(z.string().min(1), Entity)
      .refine((entities) => Object.keys(entities).length > 0, 'declare at least one entity'),
  })
  .superRefine((config, context) => {
    if (config.transport.kind === 'sftp' && config.inbound.watch === 'events') {
      context.addIssue({
        code: 'custom',
        path: ['inbound', 'watch'],
        message:
          'inbound.watch "events" needs a local transport; an SFTP folder is polled (use auto or poll)',
      });
    }
    for (const [name, entity] of Object.entries(config.entities)) {
      const lineColumns = entity.lines?.columns ?? {};
      const own = [entity.keyField, entity.versionField].filter((column) => column !== undefined);
      if (own.some((column) => Object.hasOwn(lineColumns, column))) {
        context.addIssue({
          code: 'custom',
          path: ['entities', name, 'lines', 'columns'],
          message: `entities.${name}.lines.columns must not include the key or version field`,
        });
      }
      const write = entity.write;
      if (write === undefined) continue;
      const written = [
        write.keyColumn ?? entity.keyField,
        ...write.columns,
        write.versionColumn,
        write.referenceColumn,
      ];
      const named = written.filter((column): column is string => typeof column === 'string');
      const twice = named.find((column, index) => named.indexOf(column) !== index);
      if (twice !== undefined) {
        context.addIssue({
          code: 'custom',
          path: ['entities', name, 'write', 'columns'],
          message: `entities.${name}.write names column "${twice}" twice; each import column holds one thing`,
        });
      }
      if (write.versionColumn !== null && entity.versionField === undefined) {
        context.addIssue({
          code: 'custom',
          path: ['entities', name, 'write', 'versionColumn'],
          message: `entities.${name}.write.versionColumn needs entities.${name}.versionField to know each record's version; set it, or versionColumn: null`,
        });
      }
    }
    const inbound = config.inbound.dir;
    for (const [name, entity] of Object.entries(config.entities)) {
      if (
        entity.write !== undefined &&
        (entity.write.dir === inbound || entity.write.results.dir === inbound)
      ) {
        context.addIssue({
          code: 'custom',
          path: ['entities', name, 'write', entity.write.dir === inbound ? 'dir' : 'results'],
          message: `entities.${name}.write must not use inbound.dir (${inbound}): the connector would read its own import files as exports`,
        });
      }
    }
  });

/** A validated `files` connector configuration, defaults filled in. */
export type FilesConfig = z.infer<typeof FilesConfigSchema>;
/** One entity of a validated configuration. */
export type FilesEntity = FilesConfig['entities'][string];
/** An entity's validated `write` option. */
export type FilesWrite = NonNullable<FilesEntity['write']>;
/** The validated CSV dialect. */
export type CsvDialect = FilesConfig['csv'];
/** The validated inbound options. */
export type FilesInbound = FilesConfig['inbound'];
/** The validated transport option. */
export type FilesTransportConfig = FilesConfig['transport'];
