import type { RunReport } from '../engine/engine.ts';
import type { Run } from '../engine/run.ts';
import { describeError } from '../errors/index.ts';
import type { CliContext } from '../runtime/context.ts';

/** What started a run: the metrics label and part of the audit trail. */
export type RunTrigger = 'api' | 'schedule' | 'webhook' | 'approval';

export interface StartRequest {
  workflow: string;
  dryRun: boolean;
  asOf?: string;
  requestedBy: string;
  trigger: RunTrigger;
}

/** Something the manager refuses, e.g. a second run of a workflow while one is going. */
export class RunRefused extends Error {
  override readonly name = 'RunRefused';
}

/**
 * Starts runs in the background for the service and keeps one workflow from running twice at
 * once in this process (a schedule tick, a webhook and a person pressing "run" can collide; the
 * engine would otherwise resume the same unfinished run twice). `start` resolves as soon as the
 * run exists, with its id; the run goes on and its end is logged.
 */
export class RunManager {
  readonly #context: CliContext;
  readonly #onError: (workflow: string, error: unknown) => void;
  readonly #onStarted: (workflow: string, trigger: RunTrigger) => void;
  /** The work in flight per workflow (a run, or an apply after an approval). */
  readonly #active = new Map<string, Promise<unknown>>();

  constructor(
    context: CliContext,
    hooks: {
      onError?: (workflow: string, error: unknown) => void;
      onStarted?: (workflow: string, trigger: RunTrigger) => void;
    } = {},
  ) {
    this.#context = context;
    this.#onError = hooks.onError ?? (() => {});
    this.#onStarted = hooks.onStarted ?? (() => {});
  }

  /** Whether a run or apply of this workflow is going on in this process. */
  busy(workflow: string): boolean {
    return this.#active.has(workflow);
  }

  /** Starts a run; resolves with it once it exists. Refused while the workflow is busy. */
  start(request: StartRequest): Promise<Run> {
    const workflow = this.#context.workflow(request.workflow);
    this.#claim(workflow.name);
    return new Promise<Run>((resolve, reject) => {
      let started = false;
      const work = this.#context.engine
        .run(workflow, {
          dryRun: request.dryRun,
          requestedBy: request.requestedBy,
          ...(request.asOf ? { asOf: request.asOf } : {}),
          onStarted: (run) => {
            started = true;
            this.#onStarted(workflow.name, request.trigger);
            resolve(run);
          },
        })
        .catch((error: unknown) => {
          if (started) this.#onError(workflow.name, error);
          else reject(error);
        });
      this.#track(workflow.name, work);
    });
  }

  /** Settles when the workflow's work in flight (if any) has ended. */
  async finished(workflow: string): Promise<void> {
    while (this.#active.has(workflow)) await this.#active.get(workflow)?.catch(() => {});
  }

  /** Runs `work` for a workflow in the background (e.g. applying what a person approved). */
  background(workflowName: string, work: () => Promise<RunReport | unknown>): void {
    if (this.busy(workflowName)) {
      // Chain behind the work in flight rather than refuse: an approval must not be lost.
      const previous = this.#active.get(workflowName) ?? Promise.resolve();
      const next = previous.then(work).catch((error: unknown) => this.#onError(workflowName, error));
      this.#track(workflowName, next);
      return;
    }
    const promise = work().catch((error: unknown) => this.#onError(workflowName, error));
    this.#track(workflowName, promise);
  }

  /** Runs `work` now and waits for it, refused while the workflow is busy. */
  async exclusive<T>(workflowName: string, work: () => Promise<T>): Promise<T> {
    this.#claim(workflowName);
    const promise = work();
    this.#track(
      workflowName,
      promise.catch(() => {}),
    );
    return promise;
  }

  /** Waits for everything in flight (graceful shutdown). */
  async idle(): Promise<void> {
    while (this.#active.size > 0) await Promise.allSettled([...this.#active.values()]);
  }

  #claim(workflow: string): void {
    if (this.busy(workflow)) {
      throw new RunRefused(
        `workflow ${workflow} is already running in this service; wait for it to end or cancel it`,
      );
    }
  }

  #track(workflow: string, promise: Promise<unknown>): void {
    this.#active.set(workflow, promise);
    void promise.finally(() => {
      if (this.#active.get(workflow) === promise) this.#active.delete(workflow);
    });
  }
}

/** One line for a log about a run that failed in the background. */
export function backgroundFailure(workflow: string, error: unknown): string {
  return `workflow ${workflow} failed in the background: ${describeError(error)}`;
}
