import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { trytonEntities } from '../../src/profiles/tryton/index.ts';
import { type CliContext, openContext } from '../../src/runtime/context.ts';
import { tempDir } from '../support/harness.ts';
import { prepareTryton, startTryton, type TrytonServer } from '../support/tryton.ts';
import { recordsOf } from './json-rpc-client.ts';

/**
 * The acceptance run against a real Tryton: `po-urgency` configured with the tryton profile, from
 * erpbridge.yaml as a person would write it, learns from the done purchases, classifies the open
 * ones, dry-runs (Tryton untouched), and applies; every value read back over RPC is the one
 * planned, and a buyer's edit made in Tryton between plan and apply becomes a conflict. Over
 * JSON-RPC and over XML-RPC, each against a server of its own.
 */

const tryton = await prepareTryton();

describe.skipIf(!tryton.ok).each(['json-rpc', 'xml-rpc'] as const)(
  'po-urgency on Tryton over %s',
  (protocol) => {
    let server: TrytonServer;
    let context: CliContext;
    let dir: string | undefined;

    beforeAll(async () => {
      if (!tryton.ok) return;
      server = await startTryton(tryton);
      dir = tempDir(`tryton-${protocol}`);
      const config = {
        version: 1,
        store: { path: join(dir, 'erpbridge.sqlite') },
        connectors: {
          tryton: {
            kind: 'rpc',
            dialect: 'tryton',
            protocol,
            baseUrl: '${TRYTON_URL}',
            database: server.database,
            auth: { username: 'erpbridge', password: '${TRYTON_PASSWORD}' },
            context: { company: server.seed.companyId },
            timeoutMs: 30_000,
            entities: trytonEntities,
          },
        },
        workflows: {
          'po-urgency': {
            connector: 'tryton',
            profile: 'tryton',
            source: { filter: { status: 'open' } },
            history: { filter: { status: 'closed' } },
            write: { field: 'priority', labels: ['urgent'] },
            policy: { mode: 'auto', minConfidence: 0.5 },
            batchSize: 25,
            applyConcurrency: 2,
          },
        },
      };
      const file = join(dir, 'erpbridge.yaml');
      writeFileSync(file, stringify(config));
      context = await openContext({
        configFile: file,
        env: { TRYTON_URL: server.url, TRYTON_PASSWORD: server.env.TRYTON_PASSWORD ?? '' },
      });
    });

    afterAll(async () => {
      await context?.close();
      await server?.stop();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    });

    const references = async (): Promise<Map<string, unknown>> => {
      const admin = server.client('admin');
      const { open } = server.seed;
      const ids = [...open.draft, ...open.quotation, ...open.processing];
      const rows = recordsOf(await admin.model('purchase.purchase', 'read', ids, ['reference']));
      return new Map(rows.map((row) => [String(row.id), row.reference]));
    };

    it('dry-runs, then applies; Tryton holds exactly what was planned, and a buyer’s edit stays', async () => {
      const workflow = context.workflow('po-urgency');
      const untouched = await references();

      const dry = await context.engine.run(workflow, { dryRun: true, asOf: server.seed.today });
      expect(dry.run.stats.read).toBe(server.seed.counts.open);
      // The quotation whose reference holds a supplier's reference is not overwritten: it fails, named.
      expect(dry.run.stats.failed).toBe(1);
      const [failed] = await context.store.listItems(dry.run.id, { state: 'failed' });
      expect(failed?.recordId).toBe(String(server.seed.foreignReferencePurchaseId));
      expect(failed?.error).toMatch(/cannot read reference: "SUP-REF-4711" is not an urgency label/);
      const approved = await context.store.listChanges(dry.run.id, { states: ['approved'] });
      expect(approved.length).toBeGreaterThan(1);
      for (const change of approved) {
        expect(change.after).toEqual({ priority: 'urgent' });
        expect(change.version).toMatch(/^\["\d+",/);
      }
      // The model learned the buyers' rules from Tryton's history: most of what it flags is urgent by them.
      const byRules = approved.filter((change) => server.seed.openLabels[change.recordId] === 'urgent');
      expect(byRules.length / approved.length).toBeGreaterThanOrEqual(0.6);
      expect(await references()).toEqual(untouched);

      // A buyer decides on one of them in Tryton between plan and apply.
      const [edited, ...others] = approved;
      if (edited === undefined) throw new Error('no change planned');
      await server
        .client('admin')
        .model('purchase.purchase', 'write', [Number(edited.recordId)], { reference: 'low' });

      const applied = await context.engine.apply(workflow, dry.run.id);
      expect(applied.changes.applied).toBe(others.length);
      expect(applied.changes.conflict).toBe(1);
      const conflict = await context.store.getChange(edited.id);
      expect(conflict?.state).toBe('conflict');
      expect(conflict?.error).toBe(
        `changed in the ERP since the plan: expected priority=${JSON.stringify(edited.before.priority)}, found priority="low"`,
      );

      const after = await references();
      expect(after.get(edited.recordId)).toBe('low');
      for (const change of others) {
        expect(after.get(change.recordId)).toBe('urgent');
        const stored = await context.store.getChange(change.id);
        expect(stored?.state).toBe('applied');
        expect(stored?.outcome?.readBack).toEqual({ priority: 'urgent' });
      }
      // Nothing else moved.
      for (const [id, reference] of untouched) {
        if (id === edited.recordId || others.some((change) => change.recordId === id)) continue;
        expect(after.get(id), `purchase ${id}`).toBe(reference);
      }
      expect(await context.audit.verify()).toMatchObject({ ok: true });
    });
  },
);
