import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/index.ts';
import type { Item } from '../src/engine/run.ts';
import { type CliContext, openContext } from '../src/runtime/context.ts';
import { sandboxEnv, sandboxRequests, tempDir, testSandbox } from './support/harness.ts';

/** The connector and workflow a price-anomalies deployment on the sandbox declares. */
function writePriceConfig(dir: string): string {
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
    auth:
      kind: bearer
      token: \${SANDBOX_API_KEY}
    pagination: { style: page, pageParam: page, sizeParam: page_size, pageSize: 500, itemsPath: data, totalPath: total }
    entities:
      suppliers: { path: /api/suppliers, keyField: supplier_id }
      price_reviews: { path: /api/price_reviews, keyField: po_number, versionField: updated_at, write: { method: PATCH } }
workflows:
  price-anomalies:
    connector: sandbox
    profile: sandbox
    task: price-anomalies
    source: { filter: { status: open } }
    history: { filter: { status: closed } }
    options: { minScore: 0.5 }
    policy: { mode: auto, minConfidence: 0.5, maxChangesPerRun: 100000 }
`,
  );
  return file;
}

interface PlantedPrice {
  po_number: string;
  line_no: string;
  original_price: number;
  planted_price: number;
  kind: string;
  order_status: string;
}

describe('price-anomalies against the sandbox over HTTP', () => {
  let dir: string;
  let sandbox: Sandbox;
  let context: CliContext;
  let planted: PlantedPrice[];
  let runId: string;
  let items: Item[];

  beforeAll(async () => {
    dir = tempDir('price-anomalies');
    sandbox = await testSandbox(dir);
    context = await openContext({ configFile: writePriceConfig(dir), env: sandboxEnv(sandbox) });
    const answer = await request(`${sandbox.url}/_sandbox/truth/price_anomalies`);
    planted = ((await answer.body.json()) as { anomalies: PlantedPrice[] }).anomalies.filter(
      (anomaly) => anomaly.order_status === 'OPEN',
    );
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await sandbox?.close();
  });

  it('flags the planted prices among the open orders with measured precision and recall', async () => {
    const report = await context.engine.run(context.workflow('price-anomalies'), {
      dryRun: true,
      asOf: sandbox.today,
    });
    runId = report.run.id;
    items = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await context.store.listItems(runId, { limit: 1000, offset });
      items.push(...page);
      if (page.length < 1000) break;
    }
    const open = await request(`${sandbox.url}/api/price_reviews?status=open&page_size=1`, {
      headers: { authorization: `Bearer ${sandbox.apiKey}` },
    });
    expect(items).toHaveLength(((await open.body.json()) as { total: number }).total);
    expect(await sandboxRequests(sandbox, 'PATCH')).toHaveLength(0);

    const plantedOrders = new Set(planted.map((anomaly) => anomaly.po_number.replace(/^0+/, '')));
    const flagged = new Set(items.filter((item) => item.label === 'anomalous').map((item) => item.recordId));
    const tp = [...flagged].filter((id) => plantedOrders.has(id)).length;
    const precision = tp / Math.max(1, flagged.size);
    const recall = tp / plantedOrders.size;
    const missed = planted.filter((anomaly) => !flagged.has(anomaly.po_number.replace(/^0+/, '')));
    const falseFlags = items.filter(
      (item) => item.label === 'anomalous' && !plantedOrders.has(item.recordId),
    );
    // The same run read at other score thresholds: score = confidence of "anomalous", 1 − that of "normal".
    const scored = items.map((item) => ({
      planted: plantedOrders.has(item.recordId),
      score: item.label === 'anomalous' ? (item.confidence ?? 0) : 1 - (item.confidence ?? 0),
    }));
    const atThresholds = [0.2, 0.35, 0.5, 0.65, 0.8].map((threshold) => {
      const hits = scored.filter((entry) => entry.score >= threshold);
      const found = hits.filter((entry) => entry.planted).length;
      return {
        threshold,
        precision: Math.round((found / Math.max(1, hits.length)) * 1000) / 1000,
        recall: Math.round((found / plantedOrders.size) * 1000) / 1000,
      };
    });
    console.log(
      JSON.stringify({
        openOrders: items.length,
        planted: plantedOrders.size,
        flagged: flagged.size,
        truePositives: tp,
        precision: Math.round(precision * 1000) / 1000,
        recall: Math.round(recall * 1000) / 1000,
        atThresholds,
        falseFlags: await Promise.all(
          falseFlags.map(async (item) => {
            const [change] = await context.store.listChanges(runId, {
              afterId: `${runId}:${item.recordId}`.slice(0, -1),
              limit: 1,
            });
            return `${item.recordId}: ${change?.recordId === item.recordId ? change.explanation : item.confidence}`;
          }),
        ),
        missed: missed.map(
          (anomaly) =>
            `${anomaly.po_number}/${anomaly.line_no} ${anomaly.kind} ${anomaly.original_price}→${anomaly.planted_price}`,
        ),
      }),
    );
    expect(plantedOrders.size).toBeGreaterThan(30);
    expect(precision).toBeGreaterThanOrEqual(0.9);
    expect(recall).toBeGreaterThanOrEqual(0.85);
  }, 300_000);

  it('explains a flag in words: the price, the median and what it rests on', async () => {
    const [top] = await context.store.listChanges(runId, { orderBy: 'confidence', limit: 1 });
    expect(top?.explanation).toMatch(
      /^line \d+: unit price [\d,.]+ is [\d.]+× (\(\d+ % below\) )?the median [\d,.]+ of \d+ earlier orders of item \d+ \(.+\)(, \d+ of them)? from .+/,
    );
    expect(top?.after.anomalyNote).toMatch(
      /^PRICE CHECK: line \d+: unit price [\d,.]+ is [\d.]+× .*the median [\d,.]+ of \d+/,
    );
    expect(String(top?.after.anomalyNote).length).toBeLessThanOrEqual(120);
  });

  it('apply writes each flagged order’s note once, and nothing else', async () => {
    const approved = await context.store.listChanges(runId, { states: ['approved'], limit: 5000 });
    const report = await context.engine.apply(context.workflow('price-anomalies'), runId);
    expect(report.changes.applied).toBe(approved.length);
    const patches = (await sandboxRequests(sandbox, 'PATCH')).filter((entry) => entry.applied);
    expect(patches.map((entry) => entry.path).sort()).toEqual(
      approved.map((change) => `/api/price_reviews/${change.recordId.padStart(10, '0')}`).sort(),
    );
    const change = approved[0];
    const record = await request(`${sandbox.url}/api/price_reviews/${change?.recordId.padStart(10, '0')}`, {
      headers: { authorization: `Bearer ${sandbox.apiKey}` },
    });
    const body = (await record.body.json()) as { review_note: string };
    expect(body.review_note.trim()).toBe(change?.after.anomalyNote);
  }, 300_000);
});
