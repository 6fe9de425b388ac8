import { z } from 'zod';
import type { ClassifyProvider, Example } from '../ai/contract.ts';
import type { AuditInput, AuditLog } from '../audit/index.ts';
import type { Connection } from '../connectors/contract.ts';
import { describeError } from '../errors/index.ts';
import type { ConnectorFigures } from '../resilience/index.ts';
import type { Store } from '../store/contract.ts';
import { applyBatch } from './apply.ts';
import type { Change, ChangeState } from './change.ts';
import { extractByKeys, extractMapped } from './extract.ts';
import { loadHistoryExamples } from './history.ts';
import { idempotencyKey, newRunId } from './ids.ts';
import { decideBatch } from './plan.ts';
import { type ConnectorSummary, emptyStats, type Item, type Run, type RunStats } from './run.ts';
import { loadSuppliers } from './suppliers.ts';
import { createLocalQueue, type WorkQueue } from './work-queue.ts';
import type { WorkflowContext, WorkflowDefinition } from './workflow.ts';

/** A provider that may need to get ready for a task first (the embedded one trains on history). */
export interface PreparedProvider extends ClassifyProvider {
  prepare?(task: WorkflowDefinition['task']): Promise<ModelInfo>;
}

/** Which model answers a workflow, whether it was just trained, and how it scored on validation. */
export interface ModelInfo {
  model: string;
  trained: boolean;
  metrics: Record<string, unknown>;
}

export type ProgressEvent =
  | { phase: 'model'; model: string; trained: boolean; metrics: Record<string, unknown> }
  | { phase: 'extract'; done: number; total: number | null }
  | { phase: 'apply'; done: number; total: number }
  | { phase: 'resume'; runId: string; state: Run['state'] };

export interface EngineDependencies {
  store: Store;
  audit: AuditLog;
  /** Opens (or reuses) the named connector's connection; with `figures`, its traffic is reported per run. */
  connect(connectorName: string): Promise<Connection & { figures?: () => ConnectorFigures }>;
  /** The AI provider for a workflow; `history` yields labeled examples for models that learn. */
  provider(
    workflow: WorkflowDefinition,
    history: () => Promise<Example<unknown, string>[]>,
  ): PreparedProvider;
  /** Where apply jobs go; default: run them in this process, one batch at a time. */
  queue?: WorkQueue;
  now?: () => Date;
  onProgress?: (event: ProgressEvent) => void;
}

/** An apply job: a batch of one run's changes, by id. Plain JSON, so a distributed queue can carry it. */
export const ApplyJob = z.strictObject({
  runId: z.string().min(1),
  workflow: z.string().min(1),
  changeIds: z.array(z.string().min(1)).min(1),
});
export type ApplyJob = z.infer<typeof ApplyJob>;

export interface RunOptions {
  /** Plan only; nothing is written to the ERP. The default everywhere a person starts a run. */
  dryRun: boolean;
  /** The date to decide as of (YYYY-MM-DD); default today. Fixed in the run for resumes. */
  asOf?: string;
}

export interface RunReport {
  run: Run;
  changes: Partial<Record<ChangeState, number>>;
  /** Changes this call wrote (not those found already applied by the ledger or a read-back). */
  wrote: number;
}

/** Changes applied per ledger claim; a crash re-checks at most this many by reading them back. */
const APPLY_BATCH = 128;

/**
 * The engine: runs workflows through extract → map → ai → decide → plan → approve → apply,
 * persisting every batch so that a run killed at any point resumes where it stopped.
 */
export class Engine {
  readonly #deps: EngineDependencies;
  readonly #now: () => Date;
  readonly #queue: WorkQueue;
  /** Workflows this process has applied for, by name: apply jobs name theirs. */
  readonly #workflows = new Map<string, WorkflowDefinition>();
  /** Progress of the applies this process is waiting on, by run. */
  readonly #tallies = new Map<string, { done: number; wrote: number; total: number }>();

  constructor(deps: EngineDependencies) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
    this.#queue = deps.queue ?? createLocalQueue();
    this.#queue.handle('apply', ApplyJob, (job) => this.#applyJob(job));
  }

  /**
   * Runs a workflow. An unfinished run of the same workflow and mode (killed while planning or
   * applying) is resumed instead of starting over, so running the same command again is safe.
   */
  async run(workflow: WorkflowDefinition, options: RunOptions): Promise<RunReport> {
    const { store } = this.#deps;
    let run = await this.#unfinishedRun(workflow.name, options.dryRun);
    if (run) {
      this.#deps.onProgress?.({ phase: 'resume', runId: run.id, state: run.state });
    } else {
      const asOf = options.asOf ?? this.#now().toISOString().slice(0, 10);
      run = await this.#startRun(
        { workflow: workflow.name, policy: workflow.policy.mode, dryRun: options.dryRun, state: 'running' },
        { asOf, policy: workflow.policy },
      );
    }
    try {
      if (run.state === 'running') run = await this.#plan(workflow, run);
      const applies = !run.dryRun && run.policy !== 'shadow';
      const wrote = applies ? await this.#applyApproved(workflow, run) : 0;
      return await this.#finish(workflow, run, wrote, applies);
    } catch (error) {
      await store.updateRun(run.id, { error: describeError(error) });
      throw error;
    }
  }

  /** Applies the approved changes of a planned run (e.g. after a person approved them). */
  async apply(workflow: WorkflowDefinition, runId: string): Promise<RunReport> {
    const run = await this.#requireRun(runId);
    if (run.policy === 'shadow') {
      throw new Error(
        `run ${runId} is a shadow run: it never writes. Run the workflow with policy review or auto.`,
      );
    }
    if (run.state === 'running') {
      throw new Error(`run ${runId} has not finished planning; run the workflow again to resume it`);
    }
    const wrote = await this.#applyApproved(workflow, run);
    return this.#finish(workflow, run, wrote, true);
  }

  /** Approves pending changes: all, the given ids, or those at or above a confidence. */
  async approve(runId: string, selection: ChangeSelection, by: string): Promise<number> {
    return this.#decide(runId, selection, by, 'approved');
  }

  /** Rejects pending changes; they are never applied. */
  async reject(runId: string, selection: ChangeSelection, by: string): Promise<number> {
    return this.#decide(runId, selection, by, 'rejected');
  }

  /**
   * Undoes a run: for every applied change, applies the inverse change with the same checks
   * (a record someone changed since becomes a conflict and keeps their value). Returns the
   * revert run, itself revertible.
   */
  async revert(workflow: WorkflowDefinition, runId: string, by: string): Promise<RunReport> {
    const { store } = this.#deps;
    const original = await this.#requireRun(runId);
    const now = this.#now().toISOString();
    const run = await this.#startRun(
      { workflow: original.workflow, policy: original.policy, dryRun: false, state: 'applying' },
      { revertOf: original.id },
      by,
    );
    for await (const applied of this.#pages(original.id, ['applied'])) {
      const inverse = applied.map(
        (change): Change => ({
          ...change,
          id: `${run.id}:${change.recordId}`,
          runId: run.id,
          before: change.after,
          after: change.before,
          reason: `revert of ${change.id}`,
          idempotencyKey: idempotencyKey(
            run.id,
            change.entity,
            change.recordId,
            `revert:${change.id}`,
            change.before,
          ),
          state: 'approved',
          revertOf: change.id,
          decidedBy: by,
          error: null,
          createdAt: now,
          updatedAt: now,
        }),
      );
      await store.insertChanges(inverse);
    }
    const wrote = await this.#applyApproved(workflow, run);
    return this.#finish(workflow, run, wrote, true);
  }

  /**
   * Replays a run's dead letters (all, or the given ids) from the start of their pipeline: read each
   * record again, map, classify, decide, plan, and apply unless the original run was a dry run.
   * Returns the replay run; the dead letters it covered are marked replayed by it.
   */
  async retry(
    workflow: WorkflowDefinition,
    runId: string,
    deadLetterIds?: readonly string[],
  ): Promise<RunReport> {
    const { store } = this.#deps;
    const original = await this.#requireRun(runId);
    const wanted = deadLetterIds ? new Set(deadLetterIds) : null;
    const letters = (await store.listDeadLetters({ runId })).filter(
      (letter) => wanted === null || wanted.has(letter.id),
    );
    if (wanted) {
      const missing = [...wanted].filter((id) => !letters.some((letter) => letter.id === id));
      if (missing.length > 0) throw new Error(`no dead letter ${missing.join(', ')} waiting in run ${runId}`);
    }
    const replayable = letters.filter((letter) => letter.vendorKey !== null);
    if (replayable.length === 0) throw new Error(`run ${runId} has no dead letters to replay`);
    const run = await this.#startRun(
      { workflow: original.workflow, policy: original.policy, dryRun: original.dryRun, state: 'running' },
      {
        ...original.params,
        retryOf: original.id,
        keys: [...new Set(replayable.flatMap((letter) => (letter.vendorKey ? [letter.vendorKey] : [])))],
        deadLetters: replayable.map((letter) => letter.id),
      },
    );
    await store.markDeadLettersReplayed(
      replayable.map((letter) => letter.id),
      run.id,
    );
    const planned = await this.#plan(workflow, run);
    const applies = !planned.dryRun && planned.policy !== 'shadow';
    const wrote = applies ? await this.#applyApproved(workflow, planned) : 0;
    return this.#finish(workflow, planned, wrote, applies);
  }

  /** Creates and persists a new run, and audits its start with its parameters. */
  async #startRun(
    fields: Pick<Run, 'workflow' | 'policy' | 'dryRun' | 'state'>,
    params: Record<string, unknown>,
    actor?: string,
  ): Promise<Run> {
    const now = this.#now();
    const run: Run = {
      ...fields,
      id: newRunId(now),
      params,
      stats: emptyStats(),
      error: null,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    await this.#deps.store.createRun(run);
    await this.#deps.audit.record(
      'run.started',
      run.id,
      { workflow: run.workflow, dryRun: run.dryRun, params },
      actor,
    );
    return run;
  }

  /**
   * Gets a workflow's AI ready: loads its cached model or trains one on the ERP's history.
   * Runs do this on their own; call it to train ahead (the benchmark does).
   */
  async prepare(workflow: WorkflowDefinition): Promise<ModelInfo | null> {
    const { model } = await this.#prepare(workflow, this.#now().toISOString().slice(0, 10));
    return model;
  }

  async #prepare(workflow: WorkflowDefinition, asOf: string) {
    const connection = await this.#deps.connect(workflow.connector);
    const context: WorkflowContext = { asOf, suppliers: await loadSuppliers(connection, workflow.profile) };
    const provider = this.#deps.provider(workflow, async () => {
      const { examples } = await loadHistoryExamples(workflow, connection, context);
      return examples;
    });
    const model = provider.prepare ? await provider.prepare(workflow.task) : null;
    if (model) this.#deps.onProgress?.({ phase: 'model', ...model });
    return { connection, context, provider, model };
  }

  async #plan(workflow: WorkflowDefinition, run: Run): Promise<Run> {
    const { store, audit } = this.#deps;
    const asOf =
      typeof run.params.asOf === 'string' ? run.params.asOf : this.#now().toISOString().slice(0, 10);
    const { connection, context, provider, model } = await this.#prepare(workflow, asOf);
    if (model?.trained)
      await audit.record('model.trained', run.id, { model: model.model, metrics: model.metrics });
    const stats: RunStats = structuredClone(run.stats);
    let approvedSoFar = (await store.countChanges(run.id)).approved ?? 0;
    const started = performance.now();
    // A replay reads only the records it names; a run reads the workflow's source.
    const keys = replayKeys(run);
    const pages = keys
      ? extractByKeys(connection, workflow.profile.purchaseOrder, keys, workflow.batchSize)
      : extractMapped(connection, workflow.profile.purchaseOrder, {
          filter: workflow.source.filter,
          pageSize: workflow.batchSize,
        });
    for await (const page of pages) {
      const ids = [
        ...page.records.map((order) => order.id),
        ...page.rejects.map((reject) => reject.recordId),
      ];
      const known = await store.knownRecordIds(run.id, ids);
      const orders = page.records.filter((order) => !known.has(order.id));
      const rejects = page.rejects.filter((reject) => !known.has(reject.recordId));
      const results = await provider.classify(
        workflow.task,
        orders.map((order) => workflow.toInput(order, context)),
      );
      const decided = decideBatch(
        workflow,
        { id: run.id, approvedSoFar },
        orders,
        results,
        context,
        this.#now().toISOString(),
      );
      const failed: Item[] = rejects.map((reject) => ({
        runId: run.id,
        recordId: reject.recordId,
        state: 'failed',
        label: null,
        confidence: null,
        error: reject.error,
      }));
      // Audit first: a crash between the two repeats an entry on resume rather than losing one.
      await audit.recordMany(batchAuditEntries(run.id, orders, rejects, decided.items, decided.changes));
      await store.saveBatch([...decided.items, ...failed], decided.changes);
      await store.addDeadLetters(
        rejects.map((reject) => ({
          id: `${run.id}:map:${reject.recordId}`,
          runId: run.id,
          recordId: reject.recordId,
          vendorKey: reject.recordId.startsWith('(no key)') ? null : reject.recordId,
          stage: 'map' as const,
          errorKind: reject.kind,
          message: reject.error,
          attempts: 1,
          lastExchange: null,
          createdAt: this.#now().toISOString(),
          replayedBy: null,
        })),
      );

      approvedSoFar += decided.changes.filter((change) => change.state === 'approved').length;
      stats.read += orders.length + rejects.length;
      stats.failed += rejects.length;
      for (const item of decided.items) {
        if (item.state === 'unchanged') stats.unchanged++;
        if (item.label) stats.labels[item.label] = (stats.labels[item.label] ?? 0) + 1;
      }
      stats.extractMs = run.stats.extractMs + (performance.now() - started);
      await store.updateRun(run.id, { stats });
      this.#deps.onProgress?.({ phase: 'extract', done: stats.read, total: page.total });
    }
    const nextState = run.dryRun || run.policy === 'shadow' ? 'planned' : 'applying';
    await store.updateRun(run.id, { state: nextState, stats });
    return { ...run, state: nextState, stats };
  }

  /**
   * Applies a run's approved changes: pages of them go to the work queue as apply jobs (in this
   * process by default; to workers when the queue is distributed) and this waits until all are done.
   */
  async #applyApproved(workflow: WorkflowDefinition, run: Run): Promise<number> {
    const { store } = this.#deps;
    await store.updateRun(run.id, { state: 'applying' });
    this.#workflows.set(workflow.name, workflow);
    const counts = await store.countChanges(run.id);
    const tally = { done: 0, wrote: 0, total: (counts.approved ?? 0) + (counts.applying ?? 0) };
    this.#tallies.set(run.id, tally);
    const started = performance.now();
    try {
      for await (const page of this.#pages(run.id, ['approved', 'applying'], APPLY_BATCH)) {
        const job: ApplyJob = {
          runId: run.id,
          workflow: workflow.name,
          changeIds: page.map((change) => change.id),
        };
        await this.#queue.add('apply', [job]);
      }
      await this.#queue.drain();
    } finally {
      this.#tallies.delete(run.id);
    }
    const stats = { ...run.stats, applyMs: run.stats.applyMs + (performance.now() - started) };
    await store.updateRun(run.id, { stats });
    run.stats = stats;
    return tally.wrote;
  }

  /** One apply job: the listed changes that are still waiting to be applied, as one ledger batch. */
  async #applyJob(job: ApplyJob): Promise<void> {
    const { store, audit } = this.#deps;
    const workflow = this.#workflows.get(job.workflow);
    if (!workflow)
      throw new Error(`apply job for workflow ${job.workflow}, which this process does not know`);
    const found = await Promise.all(job.changeIds.map((id) => store.getChange(id)));
    const batch = found.filter(
      (change): change is Change =>
        change !== undefined && (change.state === 'approved' || change.state === 'applying'),
    );
    const connection = await this.#deps.connect(workflow.connector);
    const outcomes = await applyBatch(
      { connection, mapping: workflow.profile.purchaseOrder, store },
      batch,
      workflow.applyConcurrency,
    );
    await audit.recordMany(
      outcomes.map((outcome) => ({
        type: `write.${outcome.state}` as const,
        runId: job.runId,
        payload: {
          changeId: outcome.change.id,
          recordId: outcome.change.recordId,
          before: outcome.change.before,
          after: outcome.change.after,
          idempotencyKey: outcome.change.idempotencyKey,
          detail: outcome.detail,
        },
      })),
    );
    const failed = outcomes.filter((outcome) => outcome.state === 'failed');
    await store.addDeadLetters(
      failed.map((outcome) => ({
        id: `${job.runId}:apply:${outcome.change.recordId}`,
        runId: job.runId,
        recordId: outcome.change.recordId,
        vendorKey: workflow.profile.purchaseOrder.toVendorKey(outcome.change.recordId),
        stage: 'apply' as const,
        errorKind: outcome.errorKind ?? 'unknown',
        message: outcome.detail,
        attempts: 1,
        lastExchange: null,
        createdAt: this.#now().toISOString(),
        replayedBy: null,
      })),
    );
    const reverted = outcomes.flatMap((o) =>
      o.state === 'applied' && o.change.revertOf !== null ? [o.change.revertOf] : [],
    );
    if (reverted.length > 0) {
      await store.updateChanges(reverted.map((id) => ({ id, state: 'reverted' as const })));
      await audit.recordMany(
        reverted.map((id) => ({
          type: 'change.reverted' as const,
          runId: job.runId,
          payload: { changeId: id },
        })),
      );
    }
    const tally = this.#tallies.get(job.runId);
    if (tally) {
      tally.done += outcomes.length;
      tally.wrote += outcomes.filter((outcome) => outcome.wrote).length;
      this.#deps.onProgress?.({ phase: 'apply', done: tally.done, total: tally.total });
    }
  }

  /** Settles a run's state and figures: `completed` once applied with nothing left waiting, else `planned`. */
  async #finish(workflow: WorkflowDefinition, run: Run, wrote: number, applied: boolean): Promise<RunReport> {
    const { store, audit } = this.#deps;
    const connection = await this.#deps.connect(workflow.connector);
    const connectors = connection.figures
      ? { ...run.stats.connectors, [workflow.connector]: summarise(connection.figures()) }
      : run.stats.connectors;
    const changes = await store.countChanges(run.id);
    const items = await store.countItems(run.id);
    const pending = changes.pending ?? 0;
    const state = applied && pending === 0 ? 'completed' : 'planned';
    const stats: RunStats = {
      ...run.stats,
      failed: items.failed ?? run.stats.failed,
      unchanged: items.unchanged ?? run.stats.unchanged,
      changes,
      ...(connectors ? { connectors } : {}),
    };
    await store.updateRun(run.id, { state, stats, error: null });
    if (state === 'completed') await audit.record('run.completed', run.id, { changes, pending, wrote });
    const finished = await this.#requireRun(run.id);
    return { run: finished, changes, wrote };
  }

  async #decide(
    runId: string,
    selection: ChangeSelection,
    by: string,
    state: 'approved' | 'rejected',
  ): Promise<number> {
    const { store, audit } = this.#deps;
    const run = await this.#requireRun(runId);
    if (state === 'approved' && run.policy === 'shadow') {
      throw new Error(`run ${runId} is a shadow run: its changes are for measuring, not applying`);
    }
    const wanted = selection.ids ? new Set(selection.ids) : null;
    let count = 0;
    for await (const pending of this.#pages(runId, ['pending'])) {
      const chosen = pending.filter(
        (change) =>
          (wanted === null || wanted.has(change.id) || wanted.has(change.recordId)) &&
          (selection.minConfidence === undefined || change.confidence >= selection.minConfidence),
      );
      if (chosen.length === 0) continue;
      await store.updateChanges(chosen.map((change) => ({ id: change.id, state, decidedBy: by })));
      await audit.record(`change.${state}`, runId, { changeIds: chosen.map((change) => change.id) }, by);
      count += chosen.length;
    }
    return count;
  }

  /** Pages through a run's changes in the given states, by id, without holding the plan in memory. */
  async *#pages(runId: string, states: ChangeState[], limit = 500): AsyncGenerator<Change[]> {
    let afterId: string | undefined;
    while (true) {
      const page = await this.#deps.store.listChanges(runId, {
        states,
        limit,
        ...(afterId ? { afterId } : {}),
      });
      if (page.length === 0) return;
      yield page;
      afterId = page.at(-1)?.id;
    }
  }

  async #unfinishedRun(workflow: string, dryRun: boolean): Promise<Run | undefined> {
    const runs = await this.#deps.store.listRuns({ workflow, limit: 20 });
    return runs.find(
      (run) =>
        run.dryRun === dryRun &&
        (run.state === 'running' || run.state === 'applying') &&
        run.params.revertOf === undefined,
    );
  }

  async #requireRun(runId: string): Promise<Run> {
    const run = await this.#deps.store.getRun(runId);
    if (!run) throw new Error(`no run ${runId}; \`erpbridge runs\` lists the runs`);
    return run;
  }
}

/** Which pending changes an approval or rejection applies to; no field means all. */
export interface ChangeSelection {
  ids?: string[];
  minConfidence?: number;
}

/** The figures of a resilient connection, as a run keeps them. */
function summarise(figures: ConnectorFigures): ConnectorSummary {
  const history = figures.concurrency.history;
  const step = Math.max(1, Math.ceil(history.length / 50));
  return {
    requests: figures.requests,
    retries: figures.retries,
    rateLimited: figures.rateLimited,
    failures: Object.values(figures.failures).reduce((sum, count) => sum + count, 0),
    breakerOpens: figures.breaker.opens,
    peakInFlight: figures.concurrency.peakInFlight,
    concurrency: history
      .filter((_, index) => index % step === 0)
      .map((point) => ({ at: new Date(point.at).toISOString(), limit: point.limit })),
    latencyMs: {
      p50: figures.latencyMs.p50,
      p95: figures.latencyMs.p95,
      p99: figures.latencyMs.p99,
      max: figures.latencyMs.max,
    },
  };
}

/** The vendor keys a replay run reads, or undefined for a run over the workflow's source. */
function replayKeys(run: Run): string[] | undefined {
  const keys = run.params.keys;
  if (!Array.isArray(keys)) return undefined;
  return keys.filter((key): key is string => typeof key === 'string');
}

function batchAuditEntries(
  runId: string,
  orders: readonly { id: string }[],
  rejects: readonly { recordId: string; error: string }[],
  items: readonly Item[],
  changes: readonly Change[],
): AuditInput[] {
  const entries: AuditInput[] = [
    {
      type: 'extract.batch',
      runId,
      payload: {
        count: orders.length + rejects.length,
        first: orders[0]?.id ?? null,
        last: orders.at(-1)?.id ?? null,
        rejects,
      },
    },
    {
      type: 'ai.decisions',
      runId,
      payload: { decisions: items.map((item) => [item.recordId, item.label, item.confidence]) },
    },
  ];
  if (changes.length > 0) {
    entries.push({
      type: 'change.planned',
      runId,
      payload: {
        changes: changes.map((change) => ({
          id: change.id,
          before: change.before,
          after: change.after,
          confidence: change.confidence,
          state: change.state,
          idempotencyKey: change.idempotencyKey,
        })),
      },
    });
  }
  return entries;
}
