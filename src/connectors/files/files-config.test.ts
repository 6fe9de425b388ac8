import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../errors/index.ts';
import { prepareConnector } from '../registry.ts';
import { FilesConfigSchema } from './files-config.ts';

const minimal = {
  kind: 'files',
  transport: { kind: 'local', root: '/srv/erp' },
  entities: { purchase_orders: { files: 'po-*.csv', keyField: 'po_number' } },
};
const sftp = { kind: 'sftp', host: 'erp.example.com', username: 'erpbridge', password: 'pw' };
const writable = {
  files: 'po-*.csv',
  keyField: 'po_number',
  versionField: 'updated_at',
  write: { columns: ['priority'] },
};

/** The messages zod gives for a config, each prefixed by its option path. */
function problems(config: Record<string, unknown>): string[] {
  const result = FilesConfigSchema.safeParse({ ...minimal, ...config });
  return result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('FilesConfigSchema', () => {
  it('fills in the documented defaults', () => {
    const config = FilesConfigSchema.parse({ ...minimal, entities: { purchase_orders: writable } });
    expect(config.csv).toEqual({ delimiter: ',', quote: '"', encoding: 'utf-8', maxRecordLength: 1_048_576 });
    expect(config.inbound).toEqual({
      dir: 'outbound',
      watch: 'auto',
      pollMs: 2000,
      stableMs: 2000,
      processingDir: 'processing',
      doneDir: 'done',
      errorDir: 'error',
      waitForFilesMs: 30_000,
      ignore: [],
    });
    expect(config.entities.purchase_orders?.write).toEqual({
      dir: 'inbound',
      columns: ['priority'],
      versionColumn: 'expected_version',
      batch: { maxChanges: 500, maxWaitMs: 200 },
      resultTimeoutMs: 120_000,
      withdrawnDir: 'withdrawn',
      results: {
        dir: 'results',
        fileName: '{file}.result.csv',
        statusColumn: 'status',
        appliedStatuses: ['applied'],
        reasonColumn: 'reason',
        conflictReasons: ['stale_version'],
        messageColumn: 'message',
      },
    });
  });

  it('refuses an SFTP transport without a pinned host key, or with two credentials', () => {
    expect(problems({ transport: sftp })).toEqual([
      expect.stringMatching(
        /^transport\.hostKeySha256: set transport\.hostKeySha256 to the server key fingerprint/,
      ),
    ]);
    expect(problems({ transport: { ...sftp, acceptAnyHostKey: true, privateKey: 'KEY' } })).toEqual([
      'transport.password: set exactly one of transport.password and transport.privateKey',
    ]);
    expect(
      problems({ transport: { ...sftp, acceptAnyHostKey: true }, inbound: { watch: 'events' } }),
    ).toEqual([expect.stringMatching(/^inbound\.watch: inbound\.watch "events" needs a local transport/)]);
  });

  it('refuses folders outside the root, unknown encodings, and import names without {batch}', () => {
    expect(problems({ inbound: { dir: '../elsewhere' } })).toEqual([
      expect.stringMatching(/^inbound\.dir: a folder below transport\.root/),
    ]);
    expect(problems({ csv: { encoding: 'klingon' } })).toEqual([
      expect.stringMatching(/^csv\.encoding: an encoding such as/),
    ]);
    const named = { ...writable, write: { ...writable.write, fileName: 'po.csv' } };
    expect(problems({ entities: { purchase_orders: named } })).toEqual([
      'entities.purchase_orders.write.fileName: must contain {batch}',
    ]);
  });

  it('refuses write layouts that cannot work', () => {
    const unversioned = { files: 'po-*.csv', keyField: 'po_number', write: { columns: ['priority'] } };
    expect(problems({ entities: { purchase_orders: unversioned } })).toEqual([
      expect.stringMatching(
        /^entities\.purchase_orders\.write\.versionColumn: .* needs entities\.purchase_orders\.versionField/,
      ),
    ]);
    const twice = { ...writable, write: { columns: ['priority', 'po_number'] } };
    expect(problems({ entities: { purchase_orders: twice } })).toEqual([
      expect.stringMatching(/names column "po_number" twice/),
    ]);
    const intoInbox = { ...writable, write: { columns: ['priority'], dir: 'outbound' } };
    expect(problems({ entities: { purchase_orders: intoInbox } })).toEqual([
      expect.stringMatching(
        /^entities\.purchase_orders\.write\.dir: .* must not use inbound\.dir \(outbound\)/,
      ),
    ]);
  });

  it('names the option, through the registry, for an unknown key', () => {
    const prepare = () => prepareConnector('erp', { ...minimal, inbound: { stableMS: 5 } }, {});
    expect(prepare).toThrow(ConfigError);
    expect(prepare).toThrow('unknown option "stableMS"');
    try {
      prepare();
    } catch (error) {
      expect(error).toMatchObject({ key: 'connectors.erp.inbound.stableMS' });
    }
  });
});
