/**
 * What the service answers (docs/api.md). Runs, items, changes, audit entries, lineage, connector
 * figures and the audit verdict are the engine's, store's and service's own types — type-only
 * imports, so nothing of them is bundled; a change there fails the console's typecheck, not a person.
 */
import type { VerifyResult } from '../../audit/audit-log.ts';
import type { Approval, Change, ChangeOutcome, ChangeState } from '../../engine/change.ts';
import type { PolicyConfig } from '../../engine/policy.ts';
import type { ConnectorSummary, Item, ItemState, Run, RunState } from '../../engine/run.ts';
import type { ConnectorFigures } from '../../resilience/resilient-connection.ts';
import type { Lineage } from '../../service/lineage.ts';
import { type AuditEntry, ROLES, type Role } from '../../store/contract.ts';

export type {
  Approval,
  AuditEntry,
  Change,
  ChangeOutcome,
  ChangeState,
  ConnectorFigures,
  ConnectorSummary,
  Item,
  ItemState,
  Lineage,
  Run,
  RunState,
};

/** Roles grow: each can do what the ones before it can (viewer < operator < approver < admin). */
export { ROLES, type Role };

/** `POST /auth/login`, `GET /auth/me`. */
export interface Session {
  user: string;
  role: Role;
  /** Only for a console session (null for a token). */
  csrfToken: string | null;
}

/** `GET /api/workflows`: one workflow. */
export interface WorkflowSummary {
  name: string;
  description: string | null;
  policy: PolicyConfig;
  triggers: { schedule: string | null; webhook: boolean };
  /** A run of it is in progress in the service. */
  busy: boolean;
  lastRun: Run | null;
}

/** `GET /api/runs/:id`. */
export interface RunDetail {
  run: Run;
  items: Partial<Record<ItemState, number>>;
  changes: Partial<Record<ChangeState, number>>;
  /** Something of its workflow runs in the service's background (a run, an apply). */
  busy?: boolean;
}

/** `POST /api/audit/verify`. */
export type AuditVerdict = VerifyResult;

/** `GET /api/connectors`: one connector's health now (figures null when it cannot connect). */
export interface ConnectorHealth {
  name: string;
  kind: string;
  figures: ConnectorFigures | null;
  error: string | null;
}

/** `POST /api/connectors/:name/test`. */
export interface ConnectorTestResult {
  ok: boolean;
  latencyMs: number;
  error: string | null;
}
