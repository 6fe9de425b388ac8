import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/index.ts';
import type { Item } from '../src/engine/run.ts';
import { type CliContext, openContext } from '../src/runtime/context.ts';
import { sandboxEnv, sandboxRequests, tempDir, testSandbox } from './support/harness.ts';

/** The connector and workflow an invoice-match deployment on the sandbox declares. */
function writeInvoiceConfig(dir: string, documents: 'pdf' | 'text'): string {
  const file = join(dir, 'erpbridge.yaml');
  writeFileSync(
    file,
    `version: 1
store:
  kind: sqlite
  path: ${join(dir, 'erpbridge.sqlite')}
connectors:
  sandbox:
    kind: rest
    baseUrl: \${SANDBOX_URL}
    timeoutMs: 30000
    concurrency: 8
    auth:
      kind: bearer
      token: \${SANDBOX_API_KEY}
    pagination: { style: page, pageParam: page, sizeParam: page_size, pageSize: 500, itemsPath: data, totalPath: total }
    entities:
      purchase_orders: { path: /api/purchase_orders, keyField: po_number, versionField: updated_at }
      suppliers: { path: /api/suppliers, keyField: supplier_id }
      invoices: { path: /api/invoices, keyField: invoice_id, versionField: updated_at, write: { method: PATCH } }
      invoice_documents: { path: /api/invoice_documents, keyField: invoice_id }
      goods_receipts: { path: /api/goods_receipts, keyField: receipt_id }
workflows:
  invoice-match:
    connector: sandbox
    profile: sandbox
    task: invoice-match
    source: { filter: { status: open } }
    history: { filter: { status: processed } }
    options: { documents: ${documents} }
    policy: { mode: auto, minConfidence: 0.5, maxChangesPerRun: 100000 }
    batchSize: 500
`,
  );
  return file;
}

interface Truth {
  label: string;
  duplicate_of: string | null;
  detail: string;
}

/** A digest of the sandbox's invoice table, read straight from its SQLite file. */
function invoiceDigest(dbPath: string): string {
  const db = new Database(dbPath, { readonly: true });
  try {
    const hash = createHash('sha256');
    for (const row of db.prepare('SELECT * FROM invoices ORDER BY invoice_id').iterate())
      hash.update(JSON.stringify(row));
    return hash.digest('hex');
  } finally {
    db.close();
  }
}

async function allItems(context: CliContext, runId: string): Promise<Item[]> {
  const items: Item[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await context.store.listItems(runId, { limit: 1000, offset });
    items.push(...page);
    if (page.length < 1000) return items;
  }
}

/** Precision and recall of `predicted` against `actual`, as counts and ratios. */
function score(pairs: { predicted: boolean; actual: boolean }[]) {
  const tp = pairs.filter((pair) => pair.predicted && pair.actual).length;
  const fp = pairs.filter((pair) => pair.predicted && !pair.actual).length;
  const fn = pairs.filter((pair) => !pair.predicted && pair.actual).length;
  return { tp, fp, fn, precision: tp / Math.max(1, tp + fp), recall: tp / Math.max(1, tp + fn) };
}

describe('invoice-match against the sandbox over HTTP (PDF documents)', () => {
  let dir: string;
  let sandbox: Sandbox;
  let context: CliContext;
  let truth: Record<string, Truth>;
  let runId: string;
  let items: Item[];

  beforeAll(async () => {
    dir = tempDir('invoice-match');
    sandbox = await testSandbox(dir);
    context = await openContext({ configFile: writeInvoiceConfig(dir, 'pdf'), env: sandboxEnv(sandbox) });
    const answer = await request(`${sandbox.url}/_sandbox/truth/invoices`);
    truth = ((await answer.body.json()) as { invoices: Record<string, Truth> }).invoices;
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await sandbox?.close();
  });

  it('a dry run reads every open invoice, plans, and writes nothing', async () => {
    const before = invoiceDigest(sandbox.dbPath);
    const report = await context.engine.run(context.workflow('invoice-match'), {
      dryRun: true,
      asOf: sandbox.today,
    });
    runId = report.run.id;
    items = await allItems(context, runId);
    const open = await request(`${sandbox.url}/api/invoices?status=open&page_size=1`, {
      headers: { authorization: `Bearer ${sandbox.apiKey}` },
    });
    const openCount = ((await open.body.json()) as { total: number }).total;
    expect(report.run.state).toBe('planned');
    expect(items).toHaveLength(openCount);
    expect(openCount).toBeGreaterThan(1000);
    expect(report.wrote).toBe(0);
    expect(await sandboxRequests(sandbox, 'PATCH')).toHaveLength(0);
    expect(invoiceDigest(sandbox.dbPath)).toBe(before);
  }, 300_000);

  it('finds the planted exceptions with precision ≥ 0.95 and recall ≥ 0.90, duplicates with recall ≥ 0.95', () => {
    const pairs = items.map((item) => {
      const planted = truth[item.recordId.padStart(10, '0')];
      if (!planted) throw new Error(`no truth for invoice ${item.recordId}`);
      return { item, planted };
    });
    const exceptions = score(
      pairs.map(({ item, planted }) => ({
        predicted: item.label !== 'matched',
        actual: planted.label !== 'matched',
      })),
    );
    const duplicates = score(
      pairs.map(({ item, planted }) => ({
        predicted: item.label === 'duplicate',
        actual: planted.label === 'duplicate',
      })),
    );
    const exactLabel = pairs.filter(
      ({ item, planted }) => planted.label !== 'matched' && item.label === planted.label,
    );
    const perLabel: Record<string, { planted: number; found: number; precision: number }> = {};
    for (const label of new Set(pairs.map(({ planted }) => planted.label))) {
      const result = score(
        pairs.map(({ item, planted }) => ({
          predicted: item.label === label,
          actual: planted.label === label,
        })),
      );
      perLabel[label] = {
        planted: result.tp + result.fn,
        found: result.tp,
        precision: Math.round(result.precision * 1000) / 1000,
      };
    }
    const misses = pairs
      .filter(({ item, planted }) => item.label !== planted.label)
      .slice(0, 10)
      .map(({ item, planted }) => `${item.recordId}: ${item.label} vs ${planted.label} (${planted.detail})`);
    console.log(
      JSON.stringify(
        {
          invoices: pairs.length,
          exceptions,
          duplicates,
          exceptionsWithTheirPlantedLabel: exactLabel.length,
          perLabel,
          misses,
        },
        null,
        1,
      ),
    );
    expect(exceptions.tp + exceptions.fn).toBeGreaterThan(200);
    expect(exceptions.precision).toBeGreaterThanOrEqual(0.95);
    expect(exceptions.recall).toBeGreaterThanOrEqual(0.9);
    expect(duplicates.tp + duplicates.fn).toBeGreaterThan(30);
    expect(duplicates.recall).toBeGreaterThanOrEqual(0.95);
  });

  it('explains a duplicate by the invoice it copies', async () => {
    const changes = await context.store.listChanges(runId, { limit: 5000 });
    const duplicate = changes.find(
      (change) =>
        truth[change.recordId.padStart(10, '0')]?.label === 'duplicate' &&
        change.explanation.startsWith('duplicate of'),
    );
    expect(duplicate).toBeDefined();
    const original = truth[duplicate?.recordId.padStart(10, '0') ?? '']?.duplicate_of ?? '';
    expect(duplicate?.explanation).toContain(`duplicate of invoice ${original.replace(/^0+/, '')}`);
    expect(duplicate?.after).toMatchObject({ matchStatus: 'exception' });
    expect(String(duplicate?.after.exceptionReason)).toMatch(/^duplicate of invoice \d+/);
  });

  it('apply writes each planned invoice exactly once, with If-Match and an Idempotency-Key', async () => {
    const planned = await context.store.listChanges(runId, { limit: 5000 });
    const approved = planned.filter((change) => change.state === 'approved');
    expect(approved.length).toBeGreaterThan(1000);
    const report = await context.engine.apply(context.workflow('invoice-match'), runId);
    expect(report.changes.applied).toBe(approved.length);
    const patches = (await sandboxRequests(sandbox, 'PATCH')).filter((entry) =>
      entry.path.startsWith('/api/invoices/'),
    );
    const byInvoice = new Map<string, number>();
    for (const entry of patches) {
      if (entry.applied) byInvoice.set(entry.path, (byInvoice.get(entry.path) ?? 0) + 1);
    }
    expect(byInvoice.size).toBe(approved.length);
    expect([...byInvoice.values()].every((count) => count === 1)).toBe(true);
    expect(patches.every((entry) => entry.idempotencyKey !== null)).toBe(true);

    const exception = approved.find((change) => change.after.matchStatus === 'exception');
    const record = await request(`${sandbox.url}/api/invoices/${exception?.recordId.padStart(10, '0')}`, {
      headers: { authorization: `Bearer ${sandbox.apiKey}` },
    });
    const body = (await record.body.json()) as { match_status: string; exception_reason: string };
    expect(body.match_status).toBe('X');
    expect(body.exception_reason.trim()).toBe(exception?.after.exceptionReason);
  }, 300_000);
});
