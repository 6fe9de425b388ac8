import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Classification, ClassifyProvider, Example } from '../ai/contract.ts';
import type { AuditInput, AuditLog } from '../audit/index.ts';
import type { Connection } from '../connectors/contract.ts';
import { describeError, ErpError } from '../errors/index.ts';
import type { ConnectorFigures } from '../resilience/index.ts';
import type { ChangeUpdate, LabeledEdit, OutboxJob, Store } from '../store/contract.ts';
import { applyBatch } from './apply.ts';
import { type AwaitRunOptions, awaitRun } from './await-run.ts';
import type { Change, ChangeState, FieldValues } from './change.ts';
import { extractByKeys, extractMapped } from './extract.ts';
import { loadHistoryExamples } from './history.ts';
import { idempotencyKey, newRunId } from './ids.ts';
import { decideBatch, isUnanswered, unansweredResults } from './plan.ts';
import { approvalStep } from './policy.ts';
import { referenceReader } from './reference.ts';
import {
  type ConnectorSummary,
  emptyStats,
  GOING_RUN_STATES,
  type Item,
  isRunGoing,
  type Run,
  type RunState,
  type RunStats,
} from './run.ts';
import { loadSuppliers } from './suppliers.ts';
import { createLocalQueue, type JobInfo, type WorkQueue } from './work-queue.ts';
import type { AnyWorkflow, WorkflowContext } from './workflow.ts';

/** A provider that may need to get ready for a task first (the embedded one trains on history). */
export interface PreparedProvider extends ClassifyProvider {
  /** `retrain`: train on the history now, whatever model is stored. */
  prepare?(task: AnyWorkflow['task'], options?: { retrain?: boolean }): Promise<ModelInfo>;
}

/** Which model answers a workflow, whether it was just trained, and how it scored on validation. */
export interface ModelInfo {
  model: string;
  trained: boolean;
  /** When it was trained (ISO). */
  trainedAt?: string;
  /** Why a stored model was trained again (too old, another feature version, asked for). */
  replaced?: string;
  metrics: Record<string, unknown>;
}

export type ProgressEvent =
  | ({ phase: 'model' } & ModelInfo)
  | { phase: 'extract'; done: number; total: number | null }
  | { phase: 'apply'; done: number; total: number }
  | { phase: 'resume'; runId: string; state: Run['state'] };

export interface EngineDependencies {
  store: Store;
  audit: AuditLog;
  /** Opens (or reuses) the named connector's connection; with `figures`, its traffic is reported per run. */
  connect(connectorName: string): Promise<Connection & { figures?: () => ConnectorFigures }>;
  /** The AI provider for a workflow; `history` yields labeled examples for models that learn. */
  provider(workflow: AnyWorkflow, history: () => Promise<Example<unknown, string>[]>): PreparedProvider;
  /**
   * Where apply jobs go; default: run them in this process, one batch at a time. A distributed
   * queue (`queue.distributed`) makes every run a plan job for a worker, commits apply jobs with
   * the approvals they carry out (transactional outbox), and lets the process that ends a run's
   * last job finish it.
   */
  queue?: WorkQueue;
  /** The workflow of a name, for jobs of workflows this process has not run itself (a worker's). */
  workflow?: (name: string) => AnyWorkflow;
  now?: () => Date;
  onProgress?: (event: ProgressEvent) => void;
  /** Told how each apply job's writes ended, for metrics. */
  onWriteOutcomes?: (counts: Partial<Record<'applied' | 'conflict' | 'failed', number>>) => void;
}

/** An apply job: a batch of one run's changes, by id. Plain JSON, so a distributed queue can carry it. */
export const ApplyJob = z.strictObject({
  runId: z.string().min(1),
  workflow: z.string().min(1),
  changeIds: z.array(z.string().min(1)).min(1),
});
export type ApplyJob = z.infer<typeof ApplyJob>;

/** A plan job (distributed): plan a run on a worker. Committed with the run it plans. */
export const PlanJob = z.strictObject({
  runId: z.string().min(1),
  workflow: z.string().min(1),
});
export type PlanJob = z.infer<typeof PlanJob>;

export interface RunOptions {
  /** Plan only; nothing is written to the ERP. The default everywhere a person starts a run. */
  dryRun: boolean;
  /** The date to decide as of (YYYY-MM-DD); default today. Fixed in the run for resumes. */
  asOf?: string;
  /**
   * Who starts it: a person or token name, `schedule`, `webhook:<workflow>`. Nobody approves the
   * changes of a run they requested. Null (the CLI without --by): nobody is excluded.
   */
  requestedBy?: string | null;
  /** Called with the run as soon as it exists (the service answers with its id before it ends). */
  onStarted?: (run: Run) => void;
}

/** One person's decision on one change (the console's approve and reject). */
export interface ChangeDecision {
  verdict: 'approve' | 'reject';
  by: string;
  /** Edit before approving: new values for (some of) the fields the change writes. */
  after?: FieldValues;
  comment?: string | null;
}

/**
 * Something the engine's rules do not allow, with the reason for the person: `forbidden` (their
 * own change, or a second approval by the same person), `conflict` (the change is no longer
 * pending, the run has ended, nothing is left to replay), `invalid` (an edit the workflow does not
 * declare or a value out of the field's domain), `not_found`.
 */
export class EngineRefused extends Error {
  override readonly name = 'EngineRefused';
  constructor(
    readonly reason: 'forbidden' | 'conflict' | 'invalid' | 'not_found',
    message: string,
  ) {
    super(message);
  }
}

/** Thrown inside a run that someone cancelled; the run stops between batches. */
class RunCancelled extends Error {
  override readonly name = 'RunCancelled';
}

export interface RunReport {
  run: Run;
  changes: Partial<Record<ChangeState, number>>;
  /** Changes this call wrote (not those found already applied by the ledger or a read-back). */
  wrote: number;
}

/** Changes applied per ledger claim; a crash re-checks at most this many by reading them back. */
const APPLY_BATCH = 128;

/** Distributed: how long `runRecords` waits for workers to plan and apply its run. */
const RECORDS_RUN_TIMEOUT_MS = 120_000;

/**
 * The engine: runs workflows through extract → map → ai → decide → plan → approve → apply,
 * persisting every batch so that a run killed at any point resumes where it stopped.
 */
export class Engine {
  readonly #deps: EngineDependencies;
  readonly #now: () => Date;
  readonly #queue: WorkQueue;
  /** Workflows this process has applied for, by name: apply jobs name theirs. */
  readonly #workflows = new Map<string, AnyWorkflow>();
  /** Progress of the applies this process is waiting on, by run. */
  readonly #tallies = new Map<string, { done: number; wrote: number; total: number }>();

  constructor(deps: EngineDependencies) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
    this.#queue = deps.queue ?? createLocalQueue();
    this.#queue.handle('apply', ApplyJob, (job, info) => this.#applyJob(job, info), {
      onGiveUp: (job, error) => this.#applyGaveUp(job, error),
    });
    this.#queue.handle('plan', PlanJob, (job) => this.#planJob(job), {
      onGiveUp: (job, error) => this.#planGaveUp(job, error),
    });
  }

  /**
   * Runs a workflow. An unfinished run of the same workflow and mode (killed while planning or
   * applying) is resumed instead of starting over, so running the same command again is safe.
   */
  async run(workflow: AnyWorkflow, options: RunOptions): Promise<RunReport> {
    const { store } = this.#deps;
    let run = await this.#unfinishedRun(workflow.name, options.dryRun);
    if (run) {
      this.#deps.onProgress?.({ phase: 'resume', runId: run.id, state: run.state });
      // Distributed, the run goes on in the workers, unless Redis lost its jobs.
      await this.recoverLostJobs([run.id]);
    } else {
      const asOf = options.asOf ?? this.#now().toISOString().slice(0, 10);
      run = await this.#startRun(
        { workflow: workflow.name, policy: workflow.policy.mode, dryRun: options.dryRun, state: 'running' },
        { asOf, policy: workflow.policy },
        options.requestedBy ?? null,
        this.#queue.distributed,
      );
    }
    options.onStarted?.(run);
    // Distributed: the plan job committed with the run takes it from here, on a worker.
    if (this.#queue.distributed) return this.#report(run.id, 0);
    try {
      if (run.state === 'running') run = await this.#plan(workflow, run);
      const applies = !run.dryRun && run.policy !== 'shadow';
      const wrote = applies ? await this.#applyApproved(workflow, run) : 0;
      return await this.#finish(workflow, run, wrote, applies);
    } catch (error) {
      if (error instanceof RunCancelled) return this.#report(run.id, 0);
      await store.updateRun(run.id, { error: describeError(error) });
      throw error;
    }
  }

  /**
   * Decides the named records now, as a run of their own: read each by its ERP key, classify,
   * plan, and apply what the policy approves (the seed's `POST /api/ai-update-order`). Changes
   * the policy does not approve wait for a person, as in any run.
   */
  async runRecords(
    workflow: AnyWorkflow,
    keys: readonly string[],
    options: { requestedBy: string | null; asOf?: string },
  ): Promise<RunReport> {
    const { store } = this.#deps;
    const asOf = options.asOf ?? this.#now().toISOString().slice(0, 10);
    let run = await this.#startRun(
      { workflow: workflow.name, policy: workflow.policy.mode, dryRun: false, state: 'running' },
      { asOf, policy: workflow.policy, keys: [...keys] },
      options.requestedBy,
      this.#queue.distributed,
    );
    if (this.#queue.distributed) return this.#awaitRecordsRun(run.id, RECORDS_RUN_TIMEOUT_MS);
    try {
      run = await this.#plan(workflow, run);
      const applies = run.policy !== 'shadow';
      const wrote = applies ? await this.#applyApproved(workflow, run) : 0;
      return await this.#finish(workflow, run, wrote, applies);
    } catch (error) {
      await store.updateRun(run.id, { state: 'failed', error: describeError(error) });
      throw error;
    }
  }

  /**
   * Cancels a run that has not ended: it stops before its next batch (planning) or apply job, in
   * this process or any other on the same store. Changes already written stay written.
   */
  async cancel(runId: string, by: string): Promise<Run> {
    const run = await this.#requireRun(runId);
    if (run.state === 'completed' || run.state === 'failed' || run.state === 'cancelled') {
      throw new EngineRefused('conflict', `run ${runId} has already ended (${run.state}); nothing to cancel`);
    }
    await this.#deps.store.updateRun(runId, { state: 'cancelled' });
    await this.#deps.audit.record('run.cancelled', runId, { previousState: run.state }, by);
    return this.#requireRun(runId);
  }

  /** Applies the approved changes of a planned run (e.g. after a person approved them). */
  async apply(workflow: AnyWorkflow, runId: string): Promise<RunReport> {
    const run = await this.#requireRun(runId);
    if (run.policy === 'shadow') {
      throw new Error(
        `run ${runId} is a shadow run: it never writes. Run the workflow with policy review or auto.`,
      );
    }
    // Distributed, a run still planning applies as it goes: approvals carry their own jobs (and
    // go out again if Redis lost them).
    await this.recoverLostJobs([run.id]);
    if (run.state === 'running' && this.#queue.distributed) return this.#report(run.id, 0);
    if (run.state === 'running') {
      throw new Error(`run ${runId} has not finished planning; run the workflow again to resume it`);
    }
    const wrote = await this.#applyApproved(workflow, run);
    if (this.#queue.distributed) {
      await this.#settle(workflow, run.id);
      return this.#report(run.id, 0);
    }
    return this.#finish(workflow, run, wrote, true);
  }

  /**
   * Approves pending changes: all, the given ids, or those at or above a confidence. The rules of
   * {@link approvalStep} hold: a person's own changes are skipped, and above the four-eyes amount
   * this counts as one of the two approvals. Returns how many changes became approved.
   */
  async approve(
    workflow: AnyWorkflow,
    runId: string,
    selection: ChangeSelection,
    by: string,
  ): Promise<number> {
    return this.#decide(workflow, runId, selection, by, 'approved');
  }

  /** Rejects pending changes; they are never applied. */
  async reject(
    workflow: AnyWorkflow,
    runId: string,
    selection: ChangeSelection,
    by: string,
  ): Promise<number> {
    return this.#decide(workflow, runId, selection, by, 'rejected');
  }

  /**
   * One person's decision on one pending change, optionally editing its values first; refused
   * (with the reason) when the rules do not allow it. An edit gets a new idempotency key: it is a
   * different write. Returns the change as it is now.
   */
  async decideChange(workflow: AnyWorkflow, changeId: string, decision: ChangeDecision): Promise<Change> {
    const { store, audit } = this.#deps;
    const change = await store.getChange(changeId);
    if (!change) throw new EngineRefused('not_found', `no change ${changeId}`);
    if (change.state !== 'pending') {
      throw new EngineRefused(
        'conflict',
        `change ${changeId} is ${change.state}, not pending; only pending changes are decided`,
      );
    }
    const run = await this.#requireRun(change.runId);
    if (run.state === 'cancelled') throw new EngineRefused('conflict', `run ${run.id} was cancelled`);
    const at = this.#now().toISOString();
    const comment = decision.comment ?? null;
    if (decision.verdict === 'reject') {
      // Anyone with the role may reject, the requester too: rejecting never writes.
      await store.updateChanges([{ id: change.id, state: 'rejected', decidedBy: decision.by }]);
      await audit.record('change.rejected', change.runId, { changeIds: [change.id], comment }, decision.by);
      return this.#requireChange(change.id);
    }
    if (run.policy === 'shadow') {
      throw new EngineRefused(
        'conflict',
        `run ${run.id} is a shadow run: its changes are for measuring, not applying`,
      );
    }
    let edited = change;
    if (decision.after !== undefined) {
      const after = checkEdit(workflow, change, decision.after);
      edited = {
        ...change,
        after,
        idempotencyKey: idempotencyKey(run.id, change.entity, change.recordId, change.version, after),
      };
    }
    const step = approvalStep(workflow.policy, edited, { by: decision.by, at, comment });
    if (step.kind === 'refused') throw new EngineRefused('forbidden', step.reason);
    if (edited !== change) {
      await store.updateChanges([
        { id: change.id, state: 'pending', after: edited.after, idempotencyKey: edited.idempotencyKey },
      ]);
      await audit.record(
        'change.edited',
        change.runId,
        { changeId: change.id, proposed: change.after, after: edited.after },
        decision.by,
      );
      // The person's correction is labeled data: for eval and retraining (`erpbridge labels export`).
      await store.addLabeledEdits(labeledEditsOf(workflow, change, edited.after, decision.by, at));
    }
    if (step.kind === 'recorded') {
      await store.updateChanges([{ id: change.id, state: 'pending', approvals: step.approvals }]);
      await audit.record(
        'change.approval-recorded',
        change.runId,
        { changeId: change.id, approvals: step.approvals.length, needed: 2, comment },
        decision.by,
      );
    } else {
      // Distributed, a run that writes commits the apply job with the approval: neither without the other.
      await store.updateChanges(
        [{ id: change.id, state: 'approved', approvals: step.approvals, decidedBy: decision.by }],
        run.dryRun ? [] : this.#applyJobs(workflow, run.id, [change.id]),
      );
      await this.#queue.flush?.();
      await audit.record('change.approved', change.runId, { changeIds: [change.id], comment }, decision.by);
    }
    return this.#requireChange(change.id);
  }

  /**
   * Undoes a run: for every applied change, applies the inverse change with the same checks
   * (a record someone changed since becomes a conflict and keeps their value). Returns the
   * revert run, itself revertible.
   */
  async revert(workflow: AnyWorkflow, runId: string, by: string): Promise<RunReport> {
    const { store } = this.#deps;
    const original = await this.#requireRun(runId);
    const now = this.#now().toISOString();
    const run = await this.#startRun(
      { workflow: original.workflow, policy: original.policy, dryRun: false, state: 'applying' },
      { revertOf: original.id },
      by,
    );
    const requestedBy = by;
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
          requestedBy,
          approvals: [],
          decidedBy: by,
          outcome: null,
          error: null,
          createdAt: now,
          updatedAt: now,
        }),
      );
      await store.insertChanges(
        inverse,
        this.#applyJobs(
          workflow,
          run.id,
          inverse.map((change) => change.id),
        ),
      );
    }
    if (this.#queue.distributed) {
      await this.#queue.flush?.();
      await this.#settle(workflow, run.id);
      return this.#report(run.id, 0);
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
    workflow: AnyWorkflow,
    runId: string,
    deadLetterIds?: readonly string[],
    requestedBy: string | null = null,
  ): Promise<RunReport> {
    const { store } = this.#deps;
    const original = await this.#requireRun(runId);
    const wanted = deadLetterIds ? new Set(deadLetterIds) : null;
    const letters = (await store.listDeadLetters({ runId })).filter(
      (letter) => wanted === null || wanted.has(letter.id),
    );
    if (wanted) {
      const missing = [...wanted].filter((id) => !letters.some((letter) => letter.id === id));
      if (missing.length > 0) {
        throw new EngineRefused('not_found', `no dead letter ${missing.join(', ')} waiting in run ${runId}`);
      }
    }
    const replayable = letters.filter((letter) => letter.vendorKey !== null);
    if (replayable.length === 0)
      throw new EngineRefused('conflict', `run ${runId} has no dead letters to replay`);
    const run = await this.#startRun(
      { workflow: original.workflow, policy: original.policy, dryRun: original.dryRun, state: 'running' },
      {
        ...original.params,
        retryOf: original.id,
        keys: [...new Set(replayable.flatMap((letter) => (letter.vendorKey ? [letter.vendorKey] : [])))],
        deadLetters: replayable.map((letter) => letter.id),
      },
      requestedBy,
      this.#queue.distributed,
    );
    await store.markDeadLettersReplayed(
      replayable.map((letter) => letter.id),
      run.id,
    );
    if (this.#queue.distributed) return this.#report(run.id, 0);
    const planned = await this.#plan(workflow, run);
    const applies = !planned.dryRun && planned.policy !== 'shadow';
    const wrote = applies ? await this.#applyApproved(workflow, planned) : 0;
    return this.#finish(workflow, planned, wrote, applies);
  }

  /**
   * Creates and persists a new run, and audits its start with its parameters. With `planJob`
   * (distributed), the run's plan job is committed with it.
   */
  async #startRun(
    fields: Pick<Run, 'workflow' | 'policy' | 'dryRun' | 'state'>,
    params: Record<string, unknown>,
    requestedBy: string | null,
    planJob = false,
  ): Promise<Run> {
    const now = this.#now();
    const run: Run = {
      ...fields,
      id: newRunId(now),
      params,
      stats: emptyStats(),
      error: null,
      requestedBy,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    const job: PlanJob = { runId: run.id, workflow: run.workflow };
    await this.#deps.store.createRun(
      run,
      planJob ? [{ id: `plan-${run.id}`, kind: 'plan', payload: job, createdAt: run.createdAt }] : [],
    );
    await this.#deps.audit.record(
      'run.started',
      run.id,
      { workflow: run.workflow, dryRun: run.dryRun, params },
      requestedBy ?? undefined,
    );
    await this.#queue.flush?.();
    return run;
  }

  /**
   * Gets a workflow's AI ready: loads its cached model or trains one on the ERP's history.
   * Runs do this on their own; call it to train ahead (the benchmark does).
   */
  async prepare(workflow: AnyWorkflow, options: { retrain?: boolean } = {}): Promise<ModelInfo | null> {
    const { model } = await this.#prepare(workflow, this.#now().toISOString().slice(0, 10), options);
    return model;
  }

  async #prepare(workflow: AnyWorkflow, asOf: string, options: { retrain?: boolean } = {}) {
    const connection = await this.#deps.connect(workflow.connector);
    const suppliers = await loadSuppliers(connection, workflow.profile);
    const context: WorkflowContext = { asOf, suppliers };
    if (workflow.reference) {
      context.reference = await workflow.reference(
        referenceReader(connection, workflow.profile, suppliers, asOf),
      );
    }
    const provider = this.#deps.provider(workflow, async () => {
      const { examples } = await loadHistoryExamples(workflow, connection, context);
      return examples;
    });
    // A workflow that answers itself trains nothing up front; a model it asks for is trained then.
    const model =
      provider.prepare && !workflow.answer ? await provider.prepare(workflow.task, options) : null;
    if (model) this.#deps.onProgress?.({ phase: 'model', ...model });
    context.model = model;
    return { connection, context, provider, model };
  }

  async #plan(workflow: AnyWorkflow, run: Run): Promise<Run> {
    const { store, audit } = this.#deps;
    const asOf =
      typeof run.params.asOf === 'string' ? run.params.asOf : this.#now().toISOString().slice(0, 10);
    const { connection, context, provider, model } = await this.#prepare(workflow, asOf);
    if (model?.trained)
      await audit.record('model.trained', run.id, {
        model: model.model,
        metrics: model.metrics,
        ...(model.replaced ? { replaced: model.replaced } : {}),
      });
    const stats: RunStats = structuredClone(run.stats);
    let approvedSoFar = (await store.countChanges(run.id)).approved ?? 0;
    const started = performance.now();
    // A replay reads only the records it names; a run reads the workflow's source.
    const keys = replayKeys(run);
    // An incremental run reads from the watermark it started with (kept in its stats, so a resumed
    // run reads from the same one), and notes the highest value it reached.
    if (!keys && workflow.source.incremental && stats.watermark === undefined) {
      const stored = await store.getWatermark(workflow.name, workflow.connector);
      stats.watermark = { from: stored?.value ?? null, reached: stored?.value ?? null };
    }
    const changedSince = stats.watermark?.from ?? undefined;
    const mapping = workflow.entity.mapping(workflow.profile);
    const pages = keys
      ? extractByKeys(connection, mapping, keys, workflow.batchSize)
      : extractMapped(connection, mapping, {
          filter: workflow.source.filter,
          pageSize: workflow.batchSize,
          ...(changedSince ? { changedSince } : {}),
        });
    for await (const page of pages) {
      await this.#checkNotCancelled(run.id);
      const ids = [
        ...page.records.map((order) => order.id),
        ...page.rejects.map((reject) => reject.recordId),
      ];
      const known = await store.knownRecordIds(run.id, ids);
      const orders = page.records.filter((order) => !known.has(order.id));
      const rejects = page.rejects.filter((reject) => !known.has(reject.recordId));
      const inputs = orders.map((order) => workflow.toInput(order, context));
      const { results, unanswered } = await this.#answer(workflow, provider, inputs, context, run.id);
      const decided = decideBatch(
        workflow,
        { id: run.id, approvedSoFar, requestedBy: run.requestedBy },
        orders,
        inputs,
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
      await audit.recordMany(
        batchAuditEntries(run.id, orders, rejects, decided.items, decided.changes, unanswered),
      );
      // Distributed, a run that writes commits the apply jobs of the batch's approved changes with it.
      const approvedIds = decided.changes.flatMap((change) =>
        change.state === 'approved' ? [change.id] : [],
      );
      await store.saveBatch(
        [...decided.items, ...failed],
        decided.changes,
        run.dryRun || run.policy === 'shadow' ? [] : this.#applyJobs(workflow, run.id, approvedIds),
      );
      await this.#queue.flush?.();
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

      if (stats.watermark && page.watermark) stats.watermark.reached = page.watermark;
      approvedSoFar += decided.changes.filter((change) => change.state === 'approved').length;
      stats.read += orders.length + rejects.length;
      stats.failed += rejects.length;
      for (const item of decided.items) {
        if (item.state === 'unchanged') stats.unchanged++;
        if (item.state === 'review') stats.review = (stats.review ?? 0) + 1;
        if (item.label) stats.labels[item.label] = (stats.labels[item.label] ?? 0) + 1;
      }
      stats.extractMs = run.stats.extractMs + (performance.now() - started);
      await store.updateRun(run.id, { stats });
      this.#deps.onProgress?.({ phase: 'extract', done: stats.read, total: page.total });
    }
    await this.#checkNotCancelled(run.id);
    const nextState = run.dryRun || run.policy === 'shadow' ? 'planned' : 'applying';
    await store.updateRun(run.id, { state: nextState, stats });
    return { ...run, state: nextState, stats };
  }

  /**
   * The AI's answers for one batch. When the provider cannot answer now (transient failures or
   * 429s after its retries, its circuit breaker open: see `isUnanswered`), the batch's records get
   * review results carrying the error instead of failing the run, so none is lost and none is
   * written without a person; `unanswered` is that error, for the audit.
   */
  async #answer(
    workflow: AnyWorkflow,
    provider: PreparedProvider,
    inputs: unknown[],
    context: WorkflowContext,
    runId: string,
  ): Promise<{ results: Classification<string>[]; unanswered: ErpError | null }> {
    try {
      const results = workflow.answer
        ? await workflow.answer(inputs, { provider, context })
        : await provider.classify(workflow.task, inputs, { runId, workflow: workflow.name });
      return { results, unanswered: null };
    } catch (error) {
      if (!isUnanswered(error)) throw error;
      return {
        results: unansweredResults(workflow.task, inputs.length, error, provider.kind),
        unanswered: error,
      };
    }
  }

  /**
   * Applies a run's approved changes: pages of them go to the work queue as apply jobs (in this
   * process by default; to workers when the queue is distributed) and this waits until all are done.
   */
  async #applyApproved(workflow: AnyWorkflow, run: Run): Promise<number> {
    const { store } = this.#deps;
    await this.#checkNotCancelled(run.id);
    await store.updateRun(run.id, { state: 'applying' });
    this.#workflows.set(workflow.name, workflow);
    if (this.#queue.distributed) {
      // Workers apply them; a change already held by another job is left to that job (claimChanges).
      for await (const page of this.#pages(run.id, ['approved', 'applying'], APPLY_BATCH)) {
        await store.addOutboxJobs(
          this.#applyJobs(
            workflow,
            run.id,
            page.map((change) => change.id),
          ),
        );
      }
      await this.#queue.flush?.();
      return 0;
    }
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

  /**
   * One apply job: the listed changes that are still waiting to be applied, as one ledger batch.
   * Distributed, only the changes this job holds (`claimChanges`: the first job to claim a change
   * keeps it), and the job then finishes the run if it was the last work left.
   */
  async #applyJob(job: ApplyJob, info: JobInfo): Promise<void> {
    const { store, audit } = this.#deps;
    const workflow = this.#workflowNamed(job.workflow, 'apply');
    // A cancelled run writes nothing more; its remaining jobs end here.
    if ((await store.getRun(job.runId))?.state === 'cancelled') return;
    const found = await Promise.all(job.changeIds.map((id) => store.getChange(id)));
    let batch = found.filter(
      (change): change is Change =>
        change !== undefined && (change.state === 'approved' || change.state === 'applying'),
    );
    if (this.#queue.distributed) {
      const held = await store.claimChanges(
        batch.map((change) => change.id),
        info.id,
      );
      batch = batch.filter((change) => held.has(change.id));
      if (batch.length === 0) return this.#settle(workflow, job.runId);
      // Approvals of a planned run: it is applying again until its last job settles it.
      await store.updateRun(job.runId, { state: 'applying' }, { ifState: ['planned'] });
    }
    const connection = await this.#deps.connect(workflow.connector);
    const outcomes = await applyBatch(
      { connection, mapping: workflow.entity.mapping(workflow.profile), store },
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
    const counts: Partial<Record<'applied' | 'conflict' | 'failed', number>> = {};
    for (const { state } of outcomes) counts[state] = (counts[state] ?? 0) + 1;
    this.#deps.onWriteOutcomes?.(counts);
    const failed = outcomes.filter((outcome) => outcome.state === 'failed');
    await store.addDeadLetters(
      failed.map((outcome) => ({
        id: `${job.runId}:apply:${outcome.change.recordId}`,
        runId: job.runId,
        recordId: outcome.change.recordId,
        vendorKey: workflow.entity.mapping(workflow.profile).toVendorKey(outcome.change.recordId),
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
    if (this.#queue.distributed) await this.#settle(workflow, job.runId);
  }

  /** A plan job (distributed): plans the run here, then settles it if no apply job is left. */
  async #planJob(job: PlanJob): Promise<void> {
    const { store } = this.#deps;
    const workflow = this.#workflowNamed(job.workflow, 'plan');
    const run = await store.getRun(job.runId);
    if (!run) {
      throw new Error(
        `plan job for run ${job.runId}, which the store does not have: is this worker on the service's store?`,
      );
    }
    // A retried job (its worker died) resumes: planning skips the records already persisted.
    if (run.state === 'running') {
      try {
        await this.#plan(workflow, run);
      } catch (error) {
        if (error instanceof RunCancelled) return;
        await store.updateRun(run.id, { error: describeError(error) });
        throw error;
      }
    }
    await this.#settle(workflow, run.id);
  }

  /** The queue gave up on a plan job: the run fails (the next trigger starts a new one). */
  async #planGaveUp(job: PlanJob, error: unknown): Promise<void> {
    await this.#deps.store.updateRun(
      job.runId,
      { state: 'failed', error: `planning gave up: ${describeError(error)}` },
      { ifState: ['running'] },
    );
  }

  /**
   * The queue gave up on an apply job (its attempts used up): the changes it still held fail, as a
   * write that failed past its retries does, with dead letters to replay them, and the run settles.
   */
  async #applyGaveUp(job: ApplyJob, error: unknown): Promise<void> {
    const { store, audit } = this.#deps;
    const workflow = this.#workflowNamed(job.workflow, 'apply');
    const found = await Promise.all(job.changeIds.map((id) => store.getChange(id)));
    const waiting = found.filter(
      (change): change is Change =>
        change !== undefined && (change.state === 'approved' || change.state === 'applying'),
    );
    const message = `the apply job gave up: ${describeError(error)}`;
    await store.updateChanges(
      waiting.map((change) => ({ id: change.id, state: 'failed' as const, error: message })),
    );
    await audit.recordMany(
      waiting.map((change) => ({
        type: 'write.failed' as const,
        runId: job.runId,
        payload: {
          changeId: change.id,
          recordId: change.recordId,
          idempotencyKey: change.idempotencyKey,
          detail: message,
        },
      })),
    );
    const mapping = workflow.entity.mapping(workflow.profile);
    await store.addDeadLetters(
      waiting.map((change) => ({
        id: `${job.runId}:apply:${change.recordId}`,
        runId: job.runId,
        recordId: change.recordId,
        vendorKey: mapping.toVendorKey(change.recordId),
        stage: 'apply' as const,
        errorKind: 'transient',
        message,
        attempts: 1,
        lastExchange: null,
        createdAt: this.#now().toISOString(),
        replayedBy: null,
      })),
    );
    await this.#settle(workflow, job.runId);
  }

  /**
   * Distributed: finishes an applying run once none of its changes is approved or applying. Any
   * process may call it any number of times (the last job of a run, a sweeper): the run moves on
   * only from `applying`, so of two processes finishing it at once, one does.
   */
  async #settle(workflow: AnyWorkflow, runId: string): Promise<void> {
    const run = await this.#deps.store.getRun(runId);
    if (run?.state !== 'applying') return;
    const counts = await this.#deps.store.countChanges(runId);
    if ((counts.approved ?? 0) + (counts.applying ?? 0) > 0) return;
    await this.#finish(workflow, run, counts.applied ?? 0, true, ['applying']);
  }

  /**
   * Settles the applying runs whose work is done (distributed): what a run's last job does
   * itself, for a run whose last job ended in a process that died before it could. Returns how
   * many runs it finished.
   */
  async settleRuns(): Promise<number> {
    let finished = 0;
    for (const run of await this.#deps.store.listRuns({ states: ['applying'], limit: 100 })) {
      const workflow = this.#deps.workflow?.(run.workflow) ?? this.#workflows.get(run.workflow);
      if (!workflow) continue;
      await this.#settle(workflow, run.id);
      if ((await this.#deps.store.getRun(run.id))?.state !== 'applying') finished++;
    }
    return finished;
  }

  /**
   * Distributed: publishes again the jobs of unfinished runs that the queue no longer holds —
   * lost with Redis's data (a restart without persistence, a flush). Without this a lost plan job
   * leaves its run `running` for good, and a lost apply job its changes `approved` or, once
   * claimed, `applying`, which no other job may take. Each job goes out again under its own id,
   * so it takes back its own claims; running a job twice is safe (a plan job resumes, an apply job
   * skips what is applied, the ledger and read-back do the rest). Looks at the given runs, or at
   * every running or applying run and every planned run with approved changes (the newest 100 of
   * each). Returns how many jobs it published again.
   */
  async recoverLostJobs(runIds?: readonly string[]): Promise<number> {
    const { store } = this.#deps;
    const missing = this.#queue.missing?.bind(this.#queue);
    if (!this.#queue.distributed || !missing) return 0;
    const candidates = runIds
      ? (await Promise.all(runIds.map((id) => store.getRun(id)))).filter((run) => run !== undefined)
      : [
          ...(await store.listRuns({ states: [...GOING_RUN_STATES], limit: 100 })),
          ...(await store.listRuns({ states: ['planned'], limit: 100 })),
        ];
    let recovered = 0;
    for (const run of candidates) {
      if (run.state === 'planned') {
        const counts = await store.countChanges(run.id);
        if ((counts.approved ?? 0) + (counts.applying ?? 0) === 0) continue;
      } else if (!isRunGoing(run)) continue;
      const published = await store.listPublishedOutboxJobIds(run.id);
      if (published.length === 0) continue;
      const lost = await missing(published);
      if (lost.length === 0) continue;
      await store.requeueOutboxJobs(lost);
      recovered += lost.length;
    }
    if (recovered > 0) await this.#queue.flush?.();
    return recovered;
  }

  /**
   * Waits until a run no longer moves (see {@link awaitRun}) and reports it — for a caller of a
   * distributed deployment, where `run`, `apply`, `revert` and `replay` return once the work is
   * queued. Embedded, those calls return ended runs and this returns at once.
   */
  async awaitRun(runId: string, options: AwaitRunOptions = {}): Promise<RunReport> {
    const run = await awaitRun(this.#deps.store, runId, options);
    return { run, changes: await this.#deps.store.countChanges(runId), wrote: 0 };
  }

  /** Distributed `runRecords`: the run's report once it ends, or a clear error after the timeout. */
  async #awaitRecordsRun(runId: string, timeoutMs: number): Promise<RunReport> {
    const report = await this.awaitRun(runId, { timeoutMs, pollMs: 200 });
    if (isRunGoing(report.run)) {
      throw new ErpError(
        'transient',
        `run ${runId} is still ${report.run.state} after ${timeoutMs / 1000} s`,
        {
          key: runId,
          hint: 'Are workers running? Start them with `erpbridge worker`; the run goes on when they do.',
        },
      );
    }
    return report;
  }

  /**
   * Distributed: apply jobs for these changes of a run, at most APPLY_BATCH each, for the caller to
   * commit with the state they act on. None locally (the local path applies itself).
   */
  #applyJobs(workflow: AnyWorkflow, runId: string, changeIds: readonly string[]): OutboxJob[] {
    if (!this.#queue.distributed) return [];
    const jobs: OutboxJob[] = [];
    const createdAt = this.#now().toISOString();
    for (let start = 0; start < changeIds.length; start += APPLY_BATCH) {
      const job: ApplyJob = {
        runId,
        workflow: workflow.name,
        changeIds: changeIds.slice(start, start + APPLY_BATCH),
      };
      jobs.push({ id: `apply-${runId}-${randomUUID()}`, kind: 'apply', payload: job, createdAt });
    }
    return jobs;
  }

  /** The workflow a job names: one this process ran, or the config's (a worker's). */
  #workflowNamed(name: string, kind: 'plan' | 'apply'): AnyWorkflow {
    const workflow = this.#workflows.get(name) ?? this.#deps.workflow?.(name);
    if (!workflow) throw new Error(`${kind} job for workflow ${name}, which this process does not know`);
    this.#workflows.set(name, workflow);
    return workflow;
  }

  /**
   * Settles a run's state and figures: `completed` once applied with nothing left waiting, else
   * `planned`. With `ifState` (distributed), only a run still in one of those states, once.
   */
  async #finish(
    workflow: AnyWorkflow,
    run: Run,
    wrote: number,
    applied: boolean,
    ifState?: RunState[],
  ): Promise<RunReport> {
    const { store, audit } = this.#deps;
    const connection = await this.#deps.connect(workflow.connector);
    // Distributed, one process's figures are not the run's: they are each worker's /metrics.
    const connectors =
      connection.figures && !this.#queue.distributed
        ? { ...run.stats.connectors, [workflow.connector]: summarise(connection.figures()) }
        : run.stats.connectors;
    const changes = await store.countChanges(run.id);
    const items = await store.countItems(run.id);
    const pending = changes.pending ?? 0;
    const cancelled = (await this.#requireRun(run.id)).state === 'cancelled';
    const state = cancelled ? 'cancelled' : applied && pending === 0 ? 'completed' : 'planned';
    const stats: RunStats = {
      ...run.stats,
      failed: items.failed ?? run.stats.failed,
      unchanged: items.unchanged ?? run.stats.unchanged,
      review: items.review ?? run.stats.review ?? 0,
      changes,
      ...(connectors ? { connectors } : {}),
    };
    const moved = await store.updateRun(run.id, { state, stats, error: null }, ifState ? { ifState } : {});
    if (!moved) return this.#report(run.id, 0);
    if (state === 'completed') await audit.record('run.completed', run.id, { changes, pending, wrote });
    // The watermark advances only when a real run has committed everything it read.
    const reached = stats.watermark?.reached;
    if (state === 'completed' && !run.dryRun && reached && reached !== stats.watermark?.from) {
      await store.setWatermark({
        workflow: workflow.name,
        connector: workflow.connector,
        value: reached,
        runId: run.id,
        updatedAt: this.#now().toISOString(),
      });
    }
    const finished = await this.#requireRun(run.id);
    return { run: finished, changes, wrote };
  }

  async #decide(
    workflow: AnyWorkflow,
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
    const at = this.#now().toISOString();
    let count = 0;
    // Pages by id over pending changes: one that stays pending (a first of two approvals) is
    // behind the cursor and not seen again.
    for await (const pending of this.#pages(runId, ['pending'])) {
      const chosen = pending.filter(
        (change) =>
          (wanted === null || wanted.has(change.id) || wanted.has(change.recordId)) &&
          (selection.minConfidence === undefined || change.confidence >= selection.minConfidence),
      );
      if (chosen.length === 0) continue;
      if (state === 'rejected') {
        await store.updateChanges(chosen.map((change) => ({ id: change.id, state, decidedBy: by })));
        await audit.record('change.rejected', runId, { changeIds: chosen.map((change) => change.id) }, by);
        count += chosen.length;
        continue;
      }
      const approved: ChangeUpdate[] = [];
      const recorded: ChangeUpdate[] = [];
      const refused: { id: string; reason: string }[] = [];
      for (const change of chosen) {
        const step = approvalStep(workflow.policy, change, { by, at, comment: null });
        if (step.kind === 'refused') refused.push({ id: change.id, reason: step.reason });
        else if (step.kind === 'recorded')
          recorded.push({ id: change.id, state: 'pending', approvals: step.approvals });
        else approved.push({ id: change.id, state: 'approved', approvals: step.approvals, decidedBy: by });
      }
      await store.updateChanges(
        [...approved, ...recorded],
        run.dryRun
          ? []
          : this.#applyJobs(
              workflow,
              runId,
              approved.map((update) => update.id),
            ),
      );
      await this.#queue.flush?.();
      if (approved.length > 0) {
        await audit.record('change.approved', runId, { changeIds: approved.map((update) => update.id) }, by);
      }
      if (recorded.length > 0) {
        await audit.record(
          'change.approval-recorded',
          runId,
          { changeIds: recorded.map((update) => update.id), needed: 2 },
          by,
        );
      }
      if (refused.length > 0) await audit.record('change.approval-refused', runId, { refused }, by);
      count += approved.length;
    }
    return count;
  }

  async #checkNotCancelled(runId: string): Promise<void> {
    if ((await this.#requireRun(runId)).state === 'cancelled')
      throw new RunCancelled(`run ${runId} was cancelled`);
  }

  async #report(runId: string, wrote: number): Promise<RunReport> {
    const run = await this.#requireRun(runId);
    return { run, changes: await this.#deps.store.countChanges(runId), wrote };
  }

  async #requireChange(id: string): Promise<Change> {
    const change = await this.#deps.store.getChange(id);
    if (!change) throw new EngineRefused('not_found', `no change ${id}`);
    return change;
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
        isRunGoing(run) &&
        run.params.revertOf === undefined &&
        // Runs over named records (a replay, one order from the API) are not the workflow's run.
        run.params.keys === undefined,
    );
  }

  async #requireRun(runId: string): Promise<Run> {
    const run = await this.#deps.store.getRun(runId);
    if (!run) throw new EngineRefused('not_found', `no run ${runId}; \`erpbridge runs\` lists the runs`);
    return run;
  }
}

/**
 * An edit's values, checked: only fields the change already writes, each valid for the canonical
 * purchase order (a priority must be one of the four). Returns the full new `after`.
 */
function checkEdit(workflow: AnyWorkflow, change: Change, edit: FieldValues): FieldValues {
  const after: FieldValues = { ...change.after };
  const shape: Record<string, z.ZodType> = workflow.entity.schema.shape;
  for (const [field, value] of Object.entries(edit)) {
    if (!(field in change.after) || !workflow.fields.some((declared) => declared === field)) {
      throw new EngineRefused(
        'invalid',
        `change ${change.id} writes ${Object.keys(change.after).join(', ')}; an edit cannot add ${field}`,
      );
    }
    const schema = shape[field];
    const parsed = schema?.safeParse(value);
    if (!parsed?.success) {
      const issue = parsed?.error.issues[0]?.message ?? 'unknown field';
      throw new EngineRefused(
        'invalid',
        `${field}: ${JSON.stringify(value)} is not a valid value (${issue})`,
      );
    }
    after[field] = parsed.data;
  }
  return after;
}

/** The fields an edit changed, each as a pair: what the AI proposed and what the person set instead. */
function labeledEditsOf(
  workflow: AnyWorkflow,
  change: Change,
  after: FieldValues,
  by: string,
  at: string,
): LabeledEdit[] {
  return Object.keys(after)
    .filter((field) => JSON.stringify(after[field] ?? null) !== JSON.stringify(change.after[field] ?? null))
    .map((field) => ({
      id: `${change.id}:${field}`,
      workflow: workflow.name,
      entity: change.entity,
      recordId: change.recordId,
      runId: change.runId,
      changeId: change.id,
      field,
      aiValue: change.after[field] ?? null,
      aiConfidence: change.confidence,
      humanValue: after[field] ?? null,
      editedBy: by,
      editedAt: at,
    }));
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
  unanswered: ErpError | null,
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
      payload: {
        decisions: items.map((item) => [item.recordId, item.label, item.confidence]),
        // The AI could not answer this batch: every record went to review with this reason.
        ...(unanswered ? { unanswered: { kind: unanswered.kind, message: unanswered.message } } : {}),
      },
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
