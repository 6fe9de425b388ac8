import type { Command } from 'commander';
import type { Connection } from '../../connectors/contract.ts';
import { CHANGE_STATES, type Change, type ChangeState } from '../../engine/change.ts';
import { isRunGoing } from '../../engine/run.ts';
import type { AnyWorkflow } from '../../engine/workflow.ts';
import { action } from '../exit.ts';
import { type FollowFlags, followOptions, followRun, parseTimeout } from '../follow-run.ts';
import { renderChanges, renderRunSummary, renderRuns } from '../render.ts';
import { withContext } from '../with-context.ts';

interface RunFlags extends FollowFlags {
  apply?: boolean;
  dryRun?: boolean;
  asOf?: string;
  top: string;
}

/** `run`, `runs`, `show`, `plan`. */
export function registerRunCommands(program: Command): void {
  const run = program
    .command('run <workflow>')
    .description(
      'run a workflow: a dry run (the default) plans and writes nothing; --apply applies what policy approves',
    )
    .option('--dry-run', 'plan only, write nothing (default)')
    .option('--apply', 'apply approved changes after planning')
    .option('--as-of <date>', 'decide as of this date (YYYY-MM-DD), default today')
    .option('--top <n>', 'changes to show in the plan', '5')
    .option('-q, --quiet', 'no progress output');
  followOptions(run).action(
    action(async (name: string, flags: RunFlags, command: Command) => {
      if (flags.apply && flags.dryRun) throw new Error('choose one of --dry-run and --apply');
      parseTimeout(flags);
      if (flags.asOf && !/^\d{4}-\d{2}-\d{2}$/.test(flags.asOf))
        throw new Error('--as-of takes a date as YYYY-MM-DD');
      await withContext(
        command,
        async (context) => {
          const started = performance.now();
          const workflow = context.workflow(name);
          const queued = await context.engine.run(workflow, {
            dryRun: !flags.apply,
            ...(flags.asOf ? { asOf: flags.asOf } : {}),
          });
          const report = await followRun(context, queued, flags);
          process.stdout.write(`${renderRunSummary(report, performance.now() - started)}\n`);
          // --no-wait: the plan is not made yet; `erpbridge show` follows it.
          if (isRunGoing(report.run)) return;
          const top = await context.store.listChanges(report.run.id, {
            orderBy: 'confidence',
            limit: Number(flags.top),
          });
          if (top.length > 0) process.stdout.write(`\nTop changes:\n${renderChanges(top)}\n`);
          if (report.run.dryRun) {
            process.stdout.write(
              `\nDry run: nothing was written. Apply this plan with: erpbridge apply ${report.run.id}\n`,
            );
          } else if (report.changes.pending) {
            process.stdout.write(
              `\n${report.changes.pending} changes wait for approval: erpbridge plan ${report.run.id}\n`,
            );
          }
        },
        { quiet: flags.quiet ?? false },
      );
    }),
  );

  program
    .command('runs')
    .description('list recent runs, newest first')
    .option('--limit <n>', 'how many', '20')
    .option('--workflow <name>', 'only runs of this workflow')
    .action(
      action(async (flags: { limit: string; workflow?: string }, command: Command) => {
        await withContext(command, async ({ store }) => {
          const runs = await store.listRuns({
            limit: Number(flags.limit),
            ...(flags.workflow ? { workflow: flags.workflow } : {}),
          });
          process.stdout.write(`${renderRuns(runs)}\n`);
        });
      }),
    );

  program
    .command('show <run>')
    .description("a run's summary, its failed items, the items to review and its changes by state")
    .action(
      action(async (runId: string, _flags: unknown, command: Command) => {
        await withContext(command, async ({ store }) => {
          const run = await store.getRun(runId);
          if (!run) throw new Error(`no run ${runId}; \`erpbridge runs\` lists the runs`);
          const changes = await store.countChanges(runId);
          process.stdout.write(`${renderRunSummary({ run, changes, wrote: 0 })}\n`);
          if (run.error) process.stdout.write(`\nlast error: ${run.error}\n`);
          for (const [name, figures] of Object.entries(run.stats.connectors ?? {})) {
            const { latencyMs: latency } = figures;
            const limits = figures.concurrency.map((point) => point.limit);
            process.stdout.write(
              `\nconnector ${name}: ${figures.requests} requests, ${figures.retries} retries, ${figures.rateLimited} answered 429, ` +
                `${figures.failures} failed, breaker opened ${figures.breakerOpens}×, peak ${figures.peakInFlight} in flight` +
                (limits.length > 1 ? ` (limit ${Math.min(...limits)}–${Math.max(...limits)})` : '') +
                `; latency p50 ${latency.p50.toFixed(1)} ms, p95 ${latency.p95.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms\n`,
            );
          }
          const failed = await store.listItems(runId, { state: 'failed', limit: 20 });
          if (failed.length > 0) {
            process.stdout.write('\nFailed items (first 20):\n');
            for (const item of failed)
              process.stdout.write(`  ${item.recordId}: ${item.error ?? 'unknown'}\n`);
          }
          const review = await store.listItems(runId, { state: 'review', limit: 20 });
          if (review.length > 0) {
            process.stdout.write('\nTo review, no change planned (first 20):\n');
            for (const item of review) process.stdout.write(`  ${item.recordId}: ${item.error ?? ''}\n`);
          }
          const problems = await store.listChanges(runId, { states: ['conflict', 'failed'], limit: 20 });
          if (problems.length > 0) {
            process.stdout.write('\nConflicts and failed writes (first 20):\n');
            for (const change of problems)
              process.stdout.write(`  ${change.recordId} ${change.state}: ${change.error ?? ''}\n`);
          }
        });
      }),
    );

  program
    .command('plan <run>')
    .description("a run's planned changes with their explanations")
    .option('--state <state>', 'only changes in this state (pending, approved, applied, conflict, ...)')
    .option('--limit <n>', 'how many', '50')
    .option('--wire', "also show the request each change becomes on the ERP's wire (HTTP, SOAP envelope)")
    .action(
      action(
        async (runId: string, flags: { state?: string; limit: string; wire?: boolean }, command: Command) => {
          await withContext(command, async ({ store, workflow, connect }) => {
            const run = await store.getRun(runId);
            if (!run) throw new Error(`no run ${runId}; \`erpbridge runs\` lists the runs`);
            const states = flags.state ? [parseState(flags.state)] : undefined;
            const changes = await store.listChanges(runId, {
              orderBy: 'confidence',
              limit: Number(flags.limit),
              ...(states ? { states } : {}),
            });
            const counts = await store.countChanges(runId);
            process.stdout.write(`${renderChanges(changes)}\n`);
            if (flags.wire) {
              const definition = workflow(run.workflow);
              const connection = await connect(definition.connector);
              process.stdout.write(renderWire(changes, definition, connection));
            }
            const summary = Object.entries(counts)
              .map(([state, count]) => `${state} ${count}`)
              .join(', ');
            process.stdout.write(`${summary || 'no changes'}\n`);
          });
        },
      ),
    );
}

function parseState(state: string): ChangeState {
  const found = CHANGE_STATES.find((candidate) => candidate === state);
  if (!found) throw new Error(`unknown state ${state}; one of ${CHANGE_STATES.join(', ')}`);
  return found;
}

/** Each change as the request its connector would send: the same canonical change, in the ERP's protocol. */
function renderWire(
  changes: readonly Change[],
  definition: AnyWorkflow,
  connection: Pick<Connection, 'describeWrite'>,
): string {
  const mapping = definition.profile.purchaseOrder;
  return changes
    .map((change) => {
      const request = {
        entity: mapping.vendorEntity,
        key: mapping.toVendorKey(change.recordId),
        fields: mapping.toVendorFields(change.after),
        ifVersion: change.version,
        idempotencyKey: change.idempotencyKey,
      };
      const wire =
        connection.describeWrite?.(request) ?? `(connector ${definition.connector} cannot show its requests)`;
      return `── ${change.id}: ${JSON.stringify(change.before)} → ${JSON.stringify(change.after)}\n${wire}\n`;
    })
    .join('\n');
}
