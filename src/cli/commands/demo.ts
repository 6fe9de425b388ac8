import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { request } from 'undici';
import { startSandbox } from '../../../sandbox/index.ts';
import { openContext } from '../../runtime/context.ts';
import { saveUser } from '../../service/auth/access.ts';
import { startService } from '../../service/index.ts';
import { action, CommandFailed } from '../exit.ts';
import { packageRoot } from '../package-root.ts';
import { progressReporter } from '../progress.ts';
import { renderChanges, renderRunSummary } from '../render.ts';
import { untilInterrupted } from './serve.ts';

/** Counts the sandbox's PATCH requests that changed data — the demo's proof that a dry run wrote nothing. */
async function appliedWrites(sandboxUrl: string): Promise<number> {
  const response = await request(`${sandboxUrl}/_sandbox/requests?method=PATCH`);
  const body = await response.body.json();
  if (typeof body !== 'object' || body === null || !('requests' in body) || !Array.isArray(body.requests)) {
    throw new Error('the sandbox request log answered in an unexpected shape');
  }
  return body.requests.filter(
    (entry: unknown) =>
      typeof entry === 'object' && entry !== null && 'applied' in entry && entry.applied === true,
  ).length;
}

/** `demo`: the whole seed workflow end to end on the embedded default, with nothing to install or configure. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('start the sandbox ERP, dry-run po-urgency, apply it under auto, verify the audit chain')
    .option('--data <dir>', 'where the demo keeps its state', '.erpbridge/demo')
    .option('--orders <n>', 'open purchase orders in the sandbox', '5000')
    .option('--serve', 'then keep the HTTP service and console running on the demo’s data until Ctrl-C')
    .option('--port <port>', 'port of the service with --serve', '8080')
    .action(
      action(async (flags: { data: string; orders: string; serve?: boolean; port: string }) => {
        const started = performance.now();
        const out = (text = '') => process.stdout.write(`${text}\n`);
        const dataDir = resolve(flags.data);
        const storePath = join(dataDir, 'erpbridge.sqlite');
        for (const suffix of ['', '-wal', '-shm']) rmSync(`${storePath}${suffix}`, { force: true });

        out('erpbridge demo — sandbox ERP, SQLite store, embedded AI. No network, no API key.\n');
        const sandbox = await startSandbox({
          dataDir,
          port: 0,
          orders: Number(flags.orders),
          reset: true,
          logRequests: false,
        });
        const progress = progressReporter();
        const context = await openContext({
          configFile: join(packageRoot(), 'erpbridge.yaml'),
          env: { ...process.env, SANDBOX_URL: sandbox.url, SANDBOX_API_KEY: sandbox.apiKey },
          storePath,
          onProgress: progress.report,
          actor: 'demo',
        });
        try {
          out(
            `1. Sandbox ERP at ${sandbox.url}: ${flags.orders} open purchase orders, a history of closed orders`,
          );
          out(
            '   with the priorities buyers set, legacy quirks included (0045000123, 20261104, "12345,67").\n',
          );

          out(
            '2. Dry run of po-urgency: learn from the history, classify every open order, plan the changes.',
          );
          const workflow = context.workflow('po-urgency');
          const dryRun = await context.engine.run(workflow, { dryRun: true, asOf: sandbox.today });
          progress.stop();
          out(renderRunSummary(dryRun));
          const top = await context.store.listChanges(dryRun.run.id, { orderBy: 'confidence', limit: 5 });
          out('\n   Top 5 changes:');
          out(renderChanges(top));
          const writesAfterDryRun = await appliedWrites(sandbox.url);
          if (writesAfterDryRun !== 0)
            throw new CommandFailed(`the dry run wrote ${writesAfterDryRun} records`);
          out('   The sandbox received no write: a dry run only plans.\n');

          out(
            `3. Apply the plan under policy auto (confidence ≥ ${workflow.policy.minConfidence}): re-read, write once, read back.`,
          );
          const applied = await context.engine.apply(workflow, dryRun.run.id);
          progress.stop();
          out(renderRunSummary(applied));
          out(`   The sandbox counted ${await appliedWrites(sandbox.url)} writes that changed a record.\n`);

          out('4. Audit log:');
          const verified = await context.audit.verify();
          if (!verified.ok)
            throw new CommandFailed(
              `audit log broken at entry ${verified.firstBad.seq}: ${verified.firstBad.reason}`,
            );
          out(`   intact — ${verified.entries} hash-chained entries, head ${verified.head.slice(0, 16)}…\n`);

          const here = (path: string) => relative(process.cwd(), path) || '.';
          out('5. Where the data lives:');
          out(`   runs, changes, audit log, model: ${here(storePath)}`);
          out(`   the sandbox ERP's database:       ${here(sandbox.dbPath)}`);
          const password = randomBytes(12).toString('base64url');
          await saveUser(context.store, context.audit, {
            name: 'demo',
            role: 'admin',
            password,
            savedBy: 'demo',
          });
          out('\n6. The console on this data (approvals, lineage, audit, connector health):');
          out(
            `   ${flags.serve ? `starting below` : 'npx erpbridge serve'} → http://127.0.0.1:${flags.port}/`,
          );
          out(`   log in as demo / ${password}   (a local admin for the demo's data only)`);
          out('\nTry next:');
          out(
            `   npx erpbridge --config erpbridge.yaml sandbox              # the sandbox on :4010, in another terminal`,
          );
          out('   npx erpbridge run po-urgency                               # a dry run against it');
          out('   npx erpbridge run po-urgency --apply                       # plan and apply under policy');
          out(
            `   npx erpbridge plan <run> · approve <run> --all · apply <run> · revert <run> · audit verify`,
          );
          out(
            '   npx erpbridge eval po-urgency                              # accuracy on held-back history',
          );
          out(`\nDemo finished in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
        } finally {
          progress.stop();
          await context.close();
          await sandbox.close();
        }
        if (flags.serve) {
          const service = await startService({
            configFile: join(packageRoot(), 'erpbridge.yaml'),
            dataDir,
            port: Number(flags.port),
            sandbox: true,
            logLevel: 'warn',
          });
          out(
            `\nerpbridge service listening at ${service.url} (sandbox ERP at ${service.sandboxUrl}); Ctrl-C stops it.`,
          );
          await untilInterrupted();
          await service.close();
        }
      }),
    );
}
