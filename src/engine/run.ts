import type { ChangeState } from './change.ts';

export const POLICIES = ['shadow', 'review', 'auto'] as const;
export type PolicyName = (typeof POLICIES)[number];

export const RUN_STATES = ['running', 'planned', 'applying', 'completed', 'failed', 'cancelled'] as const;
export type RunState = (typeof RUN_STATES)[number];

/** The states a run still moves in: being planned, or its approved changes being applied. */
export const GOING_RUN_STATES = ['running', 'applying'] as const satisfies readonly RunState[];

/** Whether a run still moves (a worker or this process plans it or applies its changes). */
export function isRunGoing(run: Pick<Run, 'state'>): boolean {
  return (GOING_RUN_STATES as readonly RunState[]).includes(run.state);
}

/** What a run's traffic with one connector looked like; from the connector's resilience figures. */
export interface ConnectorSummary {
  requests: number;
  retries: number;
  /** Answers that said "rate limited" (429). */
  rateLimited: number;
  /** Failed requests, all kinds. */
  failures: number;
  breakerOpens: number;
  peakInFlight: number;
  /** The concurrency limit over time (the adaptive limit when on), at most 50 points. */
  concurrency: { at: string; limit: number }[];
  latencyMs: { p50: number; p95: number; p99: number; max: number };
}

/** Counters a run keeps as it goes; shown by `erpbridge show` and the summary table. */
export interface RunStats {
  read: number;
  failed: number;
  unchanged: number;
  /**
   * Records a person must look at although no change was planned for them: the AI's answer needs
   * review (outside the allowed values, a spent budget, no answer at all) and the workflow proposed
   * nothing different from the record. Absent in runs made before it was counted.
   */
  review?: number;
  labels: Record<string, number>;
  changes: Partial<Record<ChangeState, number>>;
  extractMs: number;
  applyMs: number;
  /** Per connector, by name, as of the end of the run's last command. */
  connectors?: Record<string, ConnectorSummary>;
  /** Incremental runs: the watermark read from, and the one reached (stored when the run completes). */
  watermark?: { from: string | null; reached: string | null };
}

export interface Run {
  id: string;
  workflow: string;
  policy: PolicyName;
  /** A dry run plans and stops; it never writes to the ERP. */
  dryRun: boolean;
  state: RunState;
  /** Workflow parameters fixed at start (e.g. the as-of date) so a resumed run decides the same way. */
  params: Record<string, unknown>;
  stats: RunStats;
  error: string | null;
  /** Who started it: a person or token name, `schedule`, `webhook`, or the CLI's actor. */
  requestedBy: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * What became of one record: `planned` (a change was planned), `unchanged` (nothing to change),
 * `review` (nothing was planned, but the AI's answer needs a person: see `Item.error` for why;
 * never written), `failed` (unreadable).
 */
export const ITEM_STATES = ['planned', 'unchanged', 'review', 'failed'] as const;
export type ItemState = (typeof ITEM_STATES)[number];

/** One record's passage through a run, persisted once its batch has been decided. */
export interface Item {
  runId: string;
  /** Canonical id when mapping succeeded, else the vendor key. */
  recordId: string;
  state: ItemState;
  label: string | null;
  confidence: number | null;
  /** `failed`: why the record could not be read. `review`: why a person must look at it. Else null. */
  error: string | null;
  /**
   * Lineage, written with the item and read only by `getItemLineage` (lists leave them out): the
   * canonical record as read from the ERP, and what went to the AI for it.
   */
  record?: unknown;
  aiInput?: unknown;
}

export function emptyStats(): RunStats {
  return {
    read: 0,
    failed: 0,
    unchanged: 0,
    review: 0,
    labels: {},
    changes: {},
    extractMs: 0,
    applyMs: 0,
  };
}
