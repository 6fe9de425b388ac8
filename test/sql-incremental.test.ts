import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  dropTargetSchema,
  type MaterialiseTarget,
  materialise,
  type PersonalityName,
  touchOrders,
} from '../sandbox/database-personalities/index.ts';
import type { Sandbox } from '../sandbox/index.ts';
import { probeServer, skipWithout, uniqueSchema } from '../src/connectors/sql/test-databases.ts';
import { defineWorkflow } from '../src/engine/workflow.ts';
import { type CliContext, openContext } from '../src/runtime/context.ts';
import { tempDir, testSandbox } from './support/harness.ts';

/**
 * Incremental extraction end to end: the engine runs po-urgency over a `sql` connector with
 * `source: { incremental: true }`; the first run reads every open order and stores the watermark
 * when it completes; after some orders change in the ERP's tables, the second run reads those and
 * nothing else; a third reads nothing. One personality per database, so each database and each
 * personality's last-changed column is exercised.
 */

const dir = tempDir('sql-incremental');
let sandbox: Sandbox;
const schemas: MaterialiseTarget[] = [];

beforeAll(async () => {
  sandbox = await testSandbox(dir, { orders: 200, history: 400 });
});

afterAll(async () => {
  for (const target of schemas) await dropTargetSchema(target);
  await sandbox?.close();
});

const CASES: { dialect: 'sqlite' | 'postgres' | 'mariadb'; personality: PersonalityName }[] = [
  { dialect: 'sqlite', personality: 'legacy-sqlserver' },
  { dialect: 'postgres', personality: 'sap-ecc' },
  { dialect: 'mariadb', personality: 'oracle-ebs' },
];

for (const { dialect, personality } of CASES) {
  const probe = dialect === 'sqlite' ? undefined : await probeServer(dialect);
  describe.skipIf(probe !== undefined && skipWithout(probe))(
    `incremental runs on ${personality} tables in ${dialect}`,
    () => {
      let context: CliContext;
      let target: MaterialiseTarget;

      beforeAll(async () => {
        target =
          dialect === 'sqlite'
            ? { dialect, connection: { file: join(dir, `${personality}.sqlite`) } }
            : { dialect, connection: { url: probe?.url ?? '' }, schema: uniqueSchema('incremental') };
        if (target.schema !== undefined) schemas.push(target);
        const result = await materialise({ source: { sandboxDbPath: sandbox.dbPath }, personality, target });
        const configFile = join(dir, `${personality}-${dialect}.yaml`);
        writeFileSync(
          configFile,
          stringify({
            version: 1,
            store: { path: join(dir, `${personality}-${dialect}.store.sqlite`) },
            connectors: { erp: result.connector },
            workflows: {
              'po-urgency-tables': {
                connector: 'erp',
                profile: result.profile,
                source: { filter: result.filters.open, incremental: true },
                history: { filter: result.filters.closed },
                policy: { mode: 'review' },
                batchSize: 50,
              },
            },
          }),
        );
        context = await openContext({ configFile });
      });

      afterAll(async () => {
        await context?.close();
      });

      it('reads every open order first, then only the ones that changed, then none', async () => {
        // A read-only workflow: it classifies and records, and never proposes a write.
        const workflow = defineWorkflow({ ...context.workflow('po-urgency-tables'), decide: () => null });
        const first = await context.engine.run(workflow, { dryRun: false, asOf: sandbox.today });
        expect(first.run.state).toBe('completed');
        expect(first.run.stats.read).toBe(200);
        const stored = await context.store.getWatermark(workflow.name, 'erp');
        expect(stored?.value).toEqual(first.run.stats.watermark?.reached);
        expect(first.run.stats.watermark?.from).toBeNull();

        const items = await context.store.listItems(first.run.id, { limit: 1000 });
        const open = items.map((item) => item.recordId).sort();
        const changed = [open[3], open[50], open[99], open[150], open[199]].filter(
          (id): id is string => !!id,
        );
        // A closed order changing too must not be read: the source filter still applies.
        const { at } = await touchOrders({ personality, target, orders: [...changed, '45000007'] });

        const second = await context.engine.run(workflow, { dryRun: false, asOf: sandbox.today });
        expect(second.run.state).toBe('completed');
        expect(second.run.stats.read).toBe(changed.length);
        const secondItems = await context.store.listItems(second.run.id, { limit: 1000 });
        expect(secondItems.map((item) => item.recordId).sort()).toEqual([...changed].sort());
        expect(second.run.stats.watermark?.from).toBe(stored?.value);
        const advanced = await context.store.getWatermark(workflow.name, 'erp');
        expect(advanced?.value).not.toBe(stored?.value);
        expect(advanced?.value).toBe(second.run.stats.watermark?.reached);
        // The watermark is the ERP's own last-changed value for the touch, in its own format.
        const touched = at.toISOString().slice(0, 19);
        expect(advanced?.value.replace(/[-: T]/g, '')).toContain(touched.replace(/[-: T]/g, ''));

        const third = await context.engine.run(workflow, { dryRun: false, asOf: sandbox.today });
        expect(third.run.stats.read).toBe(0);
        expect((await context.store.getWatermark(workflow.name, 'erp'))?.value).toBe(advanced?.value);
      });
    },
  );
}
