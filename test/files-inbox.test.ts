import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEd25519KeyPair } from '../sandbox/file-exchange/ed25519-key-pair.ts';
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

/** One bad file of the generated corpus: its family, name, and bytes (or a stream of them). */
interface BadFile {
  family: string;
  name: string;
  content: Buffer | (() => AsyncGenerator<Buffer>);
}

/** Keys of the generated corpus start here; none of them may be merged. */
const BAD_KEYS_FROM = 1000;

/** A stream: `head`, then `size` bytes of `fill` without a line break, then `tail`. */
const longLine = (head: string, size: number, fill = 'x', tail = '') =>
  async function* (): AsyncGenerator<Buffer> {
    yield Buffer.from(head);
    const chunk = Buffer.alloc(64 * 1024, fill);
    for (let written = 0; written < size; written += chunk.length) yield chunk;
    if (tail !== '') yield Buffer.from(tail);
  };

/**
 * At least 50 bad exports, as families × variations, each named like the entity's files (po-*.csv)
 * so the connector tries them. Every one must be refused; none may be read.
 */
function badCorpus(): BadFile[] {
  const files: BadFile[] = [];
  let next = BAD_KEYS_FROM;
  const counts = new Map<string, number>();
  const add = (family: string, variations: (string | Buffer | (() => AsyncGenerator<Buffer>))[]) => {
    for (const content of variations) {
      const count = (counts.get(family) ?? 0) + 1;
      counts.set(family, count);
      files.push({
        family,
        name: `po-bad-${family}-${count}.csv`,
        content: typeof content === 'string' ? Buffer.from(content) : content,
      });
    }
  };
  /** A good export of `count` fresh keys, as text; `change` edits its rows. */
  const csv = (count: number, change: (rows: string[]) => string[] = (rows) => rows, eol = '\r\n') => {
    const rows = Array.from({ length: count }, () => row(next++));
    return `${[HEADER, ...change(rows)].join(eol)}${eol}`;
  };
  const last = (rows: string[], edit: (line: string) => string) => [
    ...rows.slice(0, -1),
    edit(rows.at(-1) ?? ''),
  ];

  // Truncated: cut inside the last row at several points (a cut inside its last field still leaves
  // a well-formed row, so these cut off at least one delimiter), or inside the header.
  for (const cut of [25, 28, 33, 40, 46, 55]) {
    const text = csv(3);
    add('truncated', [text.slice(0, text.length - 2 - cut)]);
  }
  add('truncated-header', [HEADER.slice(0, 20), `${HEADER.slice(0, 40)}\r\n${row(next++)}\r\n`]);
  // Unclosed quotes, in several fields and rows.
  add('open-quote', [
    csv(3, (rows) => last(rows, (line) => line.replace(';ok;', ';"ok;'))),
    csv(3, (rows) => [rows[0] ?? '', (rows[1] ?? '').replace(';OPEN;', ';"OPEN;'), rows[2] ?? '']),
    csv(2, (rows) => last(rows, (line) => `"${line}`)),
    csv(2, (rows) => last(rows, (line) => line.replace(/;([^;]*)$/, ';"$1'))),
  ]);
  // A quote inside an unquoted field, or text after a closing quote.
  add('stray-quote', [
    csv(2, (rows) => last(rows, (line) => line.replace(';ok;', ';"ok"x;'))),
    csv(2, (rows) => last(rows, (line) => line.replace(';ok;', ';"o"k";'))),
  ]);
  // Wrong delimiters throughout.
  for (const delimiter of [',', '\t', '|']) add('delimiter', [csv(3).replaceAll(';', delimiter)]);
  // Mixed delimiters: the header in one, the rows in another, or one row in another.
  add('mixed-delimiters', [
    `${HEADER.replaceAll(';', ',')}\r\n${row(next++)}\r\n`,
    csv(3, (rows) => last(rows, (line) => line.replaceAll(';', ','))),
    csv(3, (rows) => last(rows, (line) => line.replaceAll(';', '\t'))),
    csv(2, (rows) => last(rows, (line) => line.replace(';OPEN;', ';OPEN|'))),
  ]);
  // Wrong encodings: Latin-1 / Windows-1252 bytes, UTF-16 without BOM, invalid UTF-8 sequences.
  for (const [encoding, notes] of [
    ['latin1', 'Müller GmbH'],
    ['latin1', 'Société Générale'],
    ['latin1', 'Straße 5'],
    ['windows-1252', 'price 5€'],
  ] as const) {
    add('legacy-encoding', [
      iconv.encode(
        csv(2, (rows) => last(rows, () => row(next++, notes))),
        encoding,
      ),
    ]);
  }
  add('utf16-no-bom', [iconv.encode(csv(2), 'utf16le'), iconv.encode(csv(2), 'utf16be')]);
  for (const bytes of [
    [0x80],
    [0xc0, 0xaf],
    [0xed, 0xa0, 0x80],
    [0xff, 0xfe, 0xfd],
    [0xf8, 0x88, 0x80, 0x80],
  ]) {
    add('invalid-utf8', [
      Buffer.concat([
        Buffer.from(`${HEADER}\r\n${row(next++, 'x')}`),
        Buffer.from(bytes),
        Buffer.from('y\r\n'),
      ]),
    ]);
  }
  add('invalid-utf8-cut', [Buffer.concat([Buffer.from(csv(2).slice(0, -2)), Buffer.from([0xe2, 0x82])])]);
  // Binary garbage of several sizes.
  for (const [size, seed] of [
    [1, 3],
    [17, 5],
    [512, 11],
    [4096, 13],
    [65_536, 17],
    [300_000, 19],
  ]) {
    add('garbage', [garbage(size ?? 0, seed)]);
  }
  // Empty and whitespace-only files.
  add('blank', ['', ' ', '\r\n', '\n\n\n', '\t \t\r\n', ' \r\n \r\n']);
  // Headers without the key or version column, or with a column twice.
  add('header', [
    HEADER.replace('po_number', 'po_no'),
    `${HEADER.replace(';updated_at', '')}\r\n`,
    `${HEADER};po_number\r\n`,
    `${HEADER.toUpperCase()}\r\n${row(next++)}\r\n`,
    `${HEADER.replace('po_number', 'po number')}\r\n${row(next++)}\r\n`,
  ]);
  // The same key twice, next to each other, apart, or with blanks around it.
  add('duplicate-key', [
    csv(2, (rows) => [...rows, rows[0] ?? '']),
    csv(4, (rows) => [...rows, rows[1] ?? '']),
    csv(3, (rows) => [...rows, ` ${rows[0] ?? ''}`]),
  ]);
  // Rows without a key value.
  add('missing-key', [
    csv(2, (rows) => last(rows, (line) => line.replace(/^\d+/, ''))),
    csv(2, (rows) => last(rows, (line) => line.replace(/^\d+/, '   '))),
    csv(2, (rows) => last(rows, (line) => line.replace(/^\d+/, '""'))),
  ]);
  // A row with too many or too few fields.
  add('field-count', [
    csv(3, (rows) => last(rows, (line) => `${line};extra`)),
    csv(3, (rows) => last(rows, (line) => line.replace(/;[^;]*$/, ''))),
    csv(3, (rows) => last(rows, (line) => line.split(';')[0] ?? '')),
    csv(3, (rows) => [`${rows[0]};a;b;c`, ...rows.slice(1)]),
  ]);
  // XML, with a DOCTYPE entity bomb or an external entity, dropped as CSV.
  const lol = Array.from(
    { length: 9 },
    (_, index) => `<!ENTITY lol${index + 1} "${`&lol${index};`.repeat(10)}">`,
  ).join('\n');
  add('xml', [
    `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol0 "lol">\n${lol}\n]>\n<lolz>&lol9;</lolz>\n`,
    `<?xml version="1.0"?>\n<!DOCTYPE po [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<po><po_number>&xxe;</po_number></po>\n`,
    `<?xml version="1.0"?>\n<!DOCTYPE q [<!ENTITY a "${'a'.repeat(10_000)}">]>\n<q>${'&a;'.repeat(2000)}</q>\n`,
  ]);
  // X12 850s: a wrong SE segment count, mismatched ST/SE, GS/GE and ISA/IEA control numbers.
  const x12 = (se: string, ge: string, iea: string, count: number) =>
    [
      'ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261101*1000*U*00401*000000901*0*P*>',
      'GS*PO*SENDER*RECEIVER*20261101*1000*901*X*004010',
      'ST*850*0001',
      'BEG*00*SA*0045001000**20261101',
      'PO1*1*10*EA*9.99**VP*ITEM-1',
      'CTT*1',
      `SE*${count}*${se}`,
      `GE*1*${ge}`,
      `IEA*1*${iea}`,
    ].join('~\n');
  add('x12', [
    x12('0001', '901', '000000901', 9),
    x12('0002', '901', '000000901', 6),
    x12('0001', '902', '000000901', 6),
    x12('0001', '901', '000000999', 6),
  ]);
  // EDIFACT ORDERS: a wrong UNT segment count, mismatched UNH/UNT and UNB/UNZ references.
  const edifact = (unt: string, unz: string, count: number) =>
    [
      "UNA:+.? '",
      "UNB+UNOC:3+SENDER+RECEIVER+261101:1000+REF0001'",
      "UNH+1+ORDERS:D:96A:UN'",
      "BGM+220+0045001000+9'",
      "LIN+1++ITEM-1:IN'",
      `UNT+${count}+${unt}'`,
      `UNZ+1+${unz}'`,
    ].join('\n');
  add('edifact', [edifact('1', 'REF0001', 9), edifact('2', 'REF0001', 5), edifact('1', 'REF0002', 5)]);
  // Lines longer than the maximum record length, generated as streams.
  add('huge-line', [
    longLine(`${HEADER}\r\n${row(next++)}\r\n`, 1.5 * 1024 * 1024),
    longLine(`${HEADER}\r\n0045009999;0000100001;OPEN;3;"`, 1.5 * 1024 * 1024, 'y', '";v\r\n'),
    longLine('', 1.5 * 1024 * 1024, ';'),
  ]);
  // NUL bytes at the start, in a row, at the end.
  add('nul', [
    Buffer.concat([Buffer.from([0]), Buffer.from(csv(2))]),
    Buffer.from(csv(2, (rows) => last(rows, (line) => line.replace(';ok;', ';o\0k;')))),
    Buffer.concat([Buffer.from(csv(2)), Buffer.alloc(16)]),
  ]);
  // A UTF-16 byte order mark in the middle of the file (a UTF-8 one is read as a character).
  add('bom-inside', [
    Buffer.concat([Buffer.from(csv(2)), Buffer.from([0xff, 0xfe]), iconv.encode(row(next++), 'utf16le')]),
    Buffer.concat([Buffer.from(csv(2)), Buffer.from([0xfe, 0xff]), iconv.encode(row(next++), 'utf16be')]),
  ]);
  add('huge-100mb', [longLine(`${HEADER}\r\n${row(next++)}\r\n`, 100 * 1024 * 1024)]);
  // Line ending mixes that break quoting.
  add('eol-quote', [
    csv(2, (rows) => last(rows, (line) => line.replace(';ok;', ';"ok\rstill;'))),
    `${HEADER}\n${row(next++, '"a\r\nb')}\n${row(next++)}\n`,
    `${HEADER}\r${row(next++)}\r${row(next++, '"c')}\n`,
  ]);
  return files;
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

const clientKey = generateEd25519KeyPair();

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
      // Locally, the generated corpus too (over SFTP the hand-made one is enough).
      const generated = transport === 'local' ? badCorpus() : [];
      for (const [name, content] of [
        ...corpus,
        ...generated.map(({ name, content }) => [name, content] as const),
      ]) {
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
      // The generated corpus: each one refused, with one line naming the file and a line.
      for (const { name } of generated) {
        expect(await landed(name), name).toBe('error');
        const report = errorReport(name);
        expect(report.split('\n'), name).toHaveLength(2);
        expect(report, name).toMatch(
          new RegExp(`^${name.replaceAll('.', '\\.')}:[1-9]\\d*( \\(byte \\d+\\))?: \\S`),
        );
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
      expect(keys.filter((key) => Number(key.slice(5)) >= BAD_KEYS_FROM)).toEqual([]);
      // Every bad file is in error/, under its own name, and nothing else is.
      const refused = readdirSync(join(inbox, 'error')).filter((name) => name.endsWith('.csv'));
      expect(refused.sort()).toEqual(
        [...corpus.map(([name]) => name), ...generated.map(({ name }) => name)].sort(),
      );
      if (transport === 'local') {
        expect(refused.length).toBeGreaterThanOrEqual(50);
        expect(new Set(generated.map(({ family }) => family)).size).toBeGreaterThanOrEqual(20);
        // Not 100 MB of test debris in the temporary directory.
        truncateSync(join(inbox, 'error', 'po-bad-huge-100mb-1.csv'));
      }
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
