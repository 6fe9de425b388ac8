import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import iconv from 'iconv-lite';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SftpServer, startSftpServer } from '../sandbox/file-exchange/sftp-server.ts';
import type { Connection } from '../src/connectors/contract.ts';
import { connectConnector } from '../src/connectors/registry.ts';
import { ErpError } from '../src/errors/index.ts';
import { tempDir } from './support/harness.ts';

/**
 * The files connector's inbox, locally and over SFTP: files are claimed only when complete, each
 * lands in done/ or error/ (with a one-line reason naming file and line), the same content is
 * merged once, and the watcher keeps going after bad input.
 */

const HEADER = 'po_number;supplier_id;status;priority;notes;updated_at';
const row = (po: number, notes = 'ok', version = '2026-11-01T10:00:00.000Z') =>
  `00450${String(po).padStart(5, '0')};0000100001;OPEN;3;${notes};${version}`;
const goodCsv = (from: number, count: number) =>
  `${[HEADER, ...Array.from({ length: count }, (_, index) => row(from + index))].join('\r\n')}\r\n`;

/** Deterministic garbage: a xorshift stream of bytes. */
function garbage(length: number, seed = 7): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed;
  for (let index = 0; index < length; index++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[index] = state & 0xff;
  }
  return bytes;
}

/** A header, one good row, then one 3 MiB line without a line break, generated as a stream. */
async function* hugeLine(): AsyncGenerator<Buffer> {
  yield Buffer.from(`${HEADER}\r\n${row(1)}\r\n`);
  const chunk = Buffer.alloc(64 * 1024, 'x');
  for (let written = 0; written < 3 * 1024 * 1024; written += chunk.length) yield chunk;
}

async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const clientKey = ssh2.utils.generateKeyPairSync('ed25519');

for (const transport of ['local', 'sftp'] as const) {
  describe(`files connector inbox (${transport})`, () => {
    let exchange: string;
    let inbox: string;
    let stateDir: string;
    let sftp: SftpServer | undefined;
    let connection: Connection;

    const config = () => ({
      kind: 'files',
      transport:
        sftp === undefined
          ? { kind: 'local', root: exchange }
          : {
              kind: 'sftp',
              host: sftp.host,
              port: sftp.port,
              username: sftp.username,
              // Key authentication here; the end-to-end test logs in with a password.
              privateKey: clientKey.private,
              hostKeySha256: sftp.hostKeySha256,
              root: '/',
            },
      stateDir,
      csv: { delimiter: ';' },
      // Over SFTP mtimes have whole seconds, so the window is what tells a growing file.
      inbound: { dir: 'outbound', pollMs: 25, stableMs: transport === 'sftp' ? 150 : 80 },
      entities: { purchase_orders: { files: 'po-*.csv', keyField: 'po_number', versionField: 'updated_at' } },
    });

    /** Drops a file the way an ERP does: written elsewhere, renamed in. */
    const drop = (name: string, content: string | Buffer) => {
      const staging = join(exchange, 'staging', name);
      writeFileSync(staging, content);
      renameSync(staging, join(inbox, name));
    };
    const landed = (name: string) =>
      until(`${name} in done/ or error/`, () => {
        if (readdirSync(join(inbox, 'done')).includes(name)) return 'done';
        if (readdirSync(join(inbox, 'error')).includes(name)) return 'error';
        return undefined;
      });
    const errorReport = (name: string) => readFileSync(join(inbox, 'error', `${name}.error.txt`), 'utf8');
    const readAll = async () => {
      const keys: string[] = [];
      for await (const page of connection.read({ entity: 'purchase_orders', pageSize: 50 })) {
        keys.push(...page.records.map((record) => record.key));
      }
      return keys;
    };

    beforeAll(async () => {
      const dir = tempDir(`files-inbox-${transport}`);
      exchange = join(dir, 'exchange');
      inbox = join(exchange, 'outbound');
      stateDir = join(dir, 'state');
      mkdirSync(inbox, { recursive: true });
      mkdirSync(join(exchange, 'staging'));
      if (transport === 'sftp') {
        sftp = await startSftpServer({
          root: exchange,
          host: '127.0.0.1',
          port: 0,
          username: 'erp',
          password: 's3cret-sftp',
          authorizedKey: clientKey.public,
        });
      }
      connection = await connectConnector('erp', config(), {});
    });

    afterAll(async () => {
      await connection?.close();
      await sftp?.close();
    });

    it('claims a file only once it is complete, then reads its records', async () => {
      // Written in place, in two parts: the first part alone would be a truncated file.
      const path = join(inbox, 'po-growing.csv');
      const full = goodCsv(1, 40);
      writeFileSync(path, full.slice(0, 300));
      await new Promise((resolve) => setTimeout(resolve, 40));
      writeFileSync(path, full);
      expect(await landed('po-growing.csv')).toBe('done');
      expect(await readAll()).toHaveLength(40);
    });

    it('merges the same content once, whatever the file is called, and keeps every copy in done/', async () => {
      drop('po-a.csv', goodCsv(100, 5));
      expect(await landed('po-a.csv')).toBe('done');
      drop('po-a-again.csv', goodCsv(100, 5));
      expect(await landed('po-a-again.csv')).toBe('done');
      const note = readFileSync(join(inbox, 'done', 'po-a-again.csv.duplicate.txt'), 'utf8');
      expect(note).toMatch(
        /^po-a-again\.csv: same content \(sha256 [0-9a-f]{16}…\) as po-a\.csv, processed \S+; not merged again\n$/,
      );
      // The same name again: kept beside the first.
      drop('po-a.csv', goodCsv(100, 5));
      await until('the second po-a.csv', () => readdirSync(join(inbox, 'done')).includes('po-a~1.csv'));
      expect(await readAll()).toHaveLength(45);
    });

    it('refuses a corpus of bad files with one line naming file and line each, and keeps watching', async () => {
      const truncated = goodCsv(200, 3);
      const corpus: [name: string, content: Buffer | (() => AsyncGenerator<Buffer>), reason: RegExp][] = [
        [
          'po-truncated.csv',
          Buffer.from(truncated.slice(0, truncated.length - 30)),
          /^po-truncated\.csv:4: the number of fields differs from the first record/,
        ],
        [
          'po-open-quote.csv',
          Buffer.from(`${HEADER}\r\n${row(210, '"never closed')}\r\n`),
          /^po-open-quote\.csv:2: a quoted field .* never closes/,
        ],
        [
          'po-commas.csv',
          Buffer.from(goodCsv(220, 3).replaceAll(';', ',')),
          /^po-commas\.csv:1: the header has no column "po_number" \(it is one column split by ","/,
        ],
        [
          'po-latin1.csv',
          iconv.encode(`${HEADER}\r\n${row(230)}\r\n${row(231, 'Müller GmbH')}\r\n`, 'latin1'),
          /^po-latin1\.csv:3 \(byte \d+\): bytes 0xFC .* are not UTF-8/,
        ],
        [
          'po-utf16-no-bom.csv',
          iconv.encode(goodCsv(240, 2), 'utf16le'),
          /^po-utf16-no-bom\.csv:1 \(byte 1\): a NUL byte: this is binary, or UTF-16LE without a byte order mark/,
        ],
        ['po-garbage.csv', garbage(20_000), /^po-garbage\.csv:\d+( \(byte \d+\))?: /],
        ['po-empty.csv', Buffer.alloc(0), /^po-empty\.csv:1: the file is empty/],
        [
          'po-huge-line.csv',
          hugeLine,
          /^po-huge-line\.csv:3: a record longer than the maximum record length/,
        ],
        [
          'po-no-key.csv',
          Buffer.from(`${HEADER}\r\n${row(250)}\r\n;0000100001;OPEN;3;x;v\r\n`),
          /^po-no-key\.csv:3: no po_number in this row/,
        ],
        [
          'po-twice.csv',
          Buffer.from(`${HEADER}\r\n${row(260)}\r\n${row(261)}\r\n${row(260)}\r\n`),
          /^po-twice\.csv:4: po_number 0045000260 appears twice \(first at line 2\)/,
        ],
      ];
      for (const [name, content] of corpus) {
        if (typeof content === 'function') {
          const staging = join(exchange, 'staging', name);
          await pipeline(Readable.from(content()), createWriteStream(staging));
          renameSync(staging, join(inbox, name));
        } else {
          drop(name, content);
        }
      }
      drop('po-unknown.txt', 'not an export');
      for (const [name, , reason] of corpus) {
        expect(await landed(name), name).toBe('error');
        const report = errorReport(name);
        expect(report.split('\n'), name).toHaveLength(2);
        expect(report, name).toMatch(reason);
      }
      expect(await landed('po-unknown.txt')).toBe('error');
      expect(errorReport('po-unknown.txt')).toMatch(
        /^po-unknown\.txt: matches no entity's file pattern \(po-\*\.csv\)/,
      );

      // A UTF-16 export that says so with its byte order mark is read as such.
      drop(
        'po-utf16.csv',
        Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(goodCsv(240, 2), 'utf16le')]),
      );
      expect(await landed('po-utf16.csv')).toBe('done');

      // Still watching: a good file after the bad ones is read.
      drop('po-after.csv', goodCsv(300, 2));
      expect(await landed('po-after.csv')).toBe('done');
      const keys = await readAll();
      expect(keys).toContain('0045000300');
      expect(keys).toContain('0045000241');
      // Nothing of a refused file was merged, and nothing is lost: the inbox and processing/ are empty.
      expect(keys).not.toContain('0045000230');
      expect(readdirSync(inbox).filter((name) => !['done', 'error', 'processing'].includes(name))).toEqual(
        [],
      );
      expect(readdirSync(join(inbox, 'processing'))).toEqual([]);
    });

    it('takes up a file a crash left in processing/, and ignores temporary files', async () => {
      await connection.close();
      writeFileSync(join(inbox, 'processing', 'po-crashed.csv'), goodCsv(400, 3));
      writeFileSync(join(inbox, '.po-being-written.csv.tmp'), 'partial');
      connection = await connectConnector('erp', config(), {});
      expect(await landed('po-crashed.csv')).toBe('done');
      expect(await readAll()).toContain('0045000402');
      expect(existsSync(join(inbox, '.po-being-written.csv.tmp'))).toBe(true);
    });

    it('says so when no export of an entity has arrived, and rejects writes to a read-only entity', async () => {
      const other = await connectConnector(
        'erp2',
        {
          ...config(),
          stateDir: join(stateDir, '..', 'state-2'),
          inbound: { dir: 'nothing-here', pollMs: 25, stableMs: 0 },
          // The read's failure is transient; one attempt is enough to see it.
          resilience: { retry: { maxAttempts: 1 } },
        },
        {},
      );
      try {
        const write = other.write({
          entity: 'purchase_orders',
          key: '0045000001',
          fields: { priority: '1' },
        });
        await expect(write).rejects.toBeInstanceOf(ErpError);
        await expect(write).rejects.toThrow(/read-only in connector erp2/);
        const reading = (async () => {
          for await (const _page of other.read({ entity: 'purchase_orders' })) {
            // No page: the read fails first.
          }
        })();
        await expect(reading).rejects.toThrow(
          /no export of purchase_orders has arrived in .*nothing-here yet/,
        );
      } finally {
        await other.close();
      }
    });
  });
}

describe('files connector inbox with a done-marker', () => {
  it('waits for <name>.ok, then claims the file and removes the marker', async () => {
    const dir = tempDir('files-marker');
    const inbox = join(dir, 'exchange', 'outbound');
    mkdirSync(inbox, { recursive: true });
    const connection = await connectConnector(
      'erp',
      {
        kind: 'files',
        transport: { kind: 'local', root: join(dir, 'exchange') },
        stateDir: join(dir, 'state'),
        csv: { delimiter: ';' },
        inbound: { dir: 'outbound', pollMs: 20, stableMs: 0, doneMarker: '.ok' },
        entities: { purchase_orders: { files: 'po-*.csv', keyField: 'po_number' } },
      },
      {},
    );
    try {
      writeFileSync(join(inbox, 'po-marked.csv'), goodCsv(1, 3));
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(readdirSync(inbox)).toContain('po-marked.csv');
      writeFileSync(join(inbox, 'po-marked.csv.ok'), '');
      await until('po-marked.csv in done/', () => readdirSync(join(inbox, 'done')).includes('po-marked.csv'));
      expect(readdirSync(inbox)).not.toContain('po-marked.csv.ok');
      expect(await connection.get('purchase_orders', '0045000002')).toMatchObject({
        key: '0045000002',
        version: null,
      });
    } finally {
      await connection.close();
    }
  });
});

describe('files connector over SFTP, refused', () => {
  let server: SftpServer;
  let root: string;

  beforeAll(async () => {
    root = tempDir('files-sftp-refused');
    mkdirSync(join(root, 'outbound'));
    server = await startSftpServer({ root, host: '127.0.0.1', port: 0, username: 'erp', password: 'right' });
  });
  afterAll(async () => {
    await server?.close();
  });

  const connect = (transport: Record<string, unknown>) =>
    connectConnector(
      'erp',
      {
        kind: 'files',
        transport: { kind: 'sftp', host: server.host, port: server.port, username: 'erp', ...transport },
        stateDir: join(root, 'state'),
        entities: { purchase_orders: { files: 'po-*.csv', keyField: 'po_number' } },
      },
      {},
    );

  it('names the host key it got when it is not the pinned one', async () => {
    const wrong = `SHA256:${'A'.repeat(43)}`;
    const error = await connect({ password: 'right', hostKeySha256: wrong }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(ErpError);
    expect(error).toMatchObject({ kind: 'auth' });
    expect(String(error)).toContain(
      `the server's host key is ${server.hostKeySha256}, not the one configured`,
    );
  });

  it('says the password was refused, without saying the password', async () => {
    const error = await connect({ password: 'wrong-pw', hostKeySha256: server.hostKeySha256 }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toMatchObject({
      kind: 'auth',
      message: expect.stringMatching(/refused the password for erp/),
    });
    expect(JSON.stringify(error)).not.toContain('wrong-pw');
  });
});
