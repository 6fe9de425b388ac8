import { existsSync, readFileSync } from 'node:fs';
import type { AuditLog } from '../audit/index.ts';
import { parseYamlSource } from '../config/yaml-source.ts';
import type { Connection } from '../connectors/contract.ts';
import type { PolicyName } from '../engine/run.ts';
import type { AnyWorkflow } from '../engine/workflow.ts';
import type { Store } from '../store/contract.ts';
import { type ReadStrategy, readCurrentValues } from './current-values.ts';
import { fieldValue, judge } from './judgement.ts';
import {
  DEFAULT_PROMOTION_RULE,
  evaluatePromotion,
  type ModeLocation,
  type PromotionVerdict,
} from './promotion.ts';
import { collectShadowDecisions, type ShadowDecisions } from './shadow-decisions.ts';
import { type AgreementTally, type JudgedDecision, tallyAgreement } from './tally.ts';

/** Bumped when the report's JSON changes meaning. */
export const SHADOW_REPORT_FORMAT = 1;

/**
 * How a shadow workflow's decisions compare with what people later did in the ERP: agreement in
 * total, per label and over time, how much people have acted on yet, and the promotion rule's
 * verdict. Plain JSON (`erpbridge shadow-report --json`, `GET /api/workflows/:name/shadow-report`).
 */
export interface ShadowReport extends AgreementTally {
  format: typeof SHADOW_REPORT_FORMAT;
  workflow: string;
  entity: string;
  /** The field compared: what the workflow writes. */
  field: string;
  /** The workflow's policy mode now. */
  mode: PolicyName;
  /** Runs started at or after this (ISO), or null for all. */
  since: string | null;
  generatedAt: string;
  runs: { count: number; first: string | null; last: string | null };
  /** Items whose AI answer named no value of the field; not compared. */
  withoutValue: number;
  /** Earlier decisions of records a later run decided again (each record is judged once). */
  superseded: number;
  /** Records the mapping could not read now; counted as not yet decided. */
  unreadable: number;
  /** How the current values were read, and how many records. */
  reads: { strategy: 'get' | 'scan'; records: number };
  promotion: PromotionVerdict;
}

/** What {@link shadowReport} needs: the runtime context's store, audit log and connections. */
export interface ShadowReportDependencies {
  store: Store;
  audit: AuditLog;
  connect(connector: string): Promise<Connection>;
  /** The config file, to name the line of the workflow's `policy.mode` in a suggestion. */
  configFile?: string;
  now?: () => Date;
}

export interface ShadowReportOptions {
  /** Only runs started at or after this date (`YYYY-MM-DD`) or instant (ISO). */
  since?: string;
  /** The field to compare; default the workflow's first writable field. */
  field?: string;
  reads?: ReadStrategy;
  /** Who asked, for the audit entry. */
  actor?: string;
}

/**
 * Makes a workflow's shadow report: collects its shadow runs' decisions (one per record), reads
 * those records' current values through the workflow's connection and profile, judges each
 * decision, tallies agreement and applies the promotion rule (`policy.promotion`, else
 * {@link DEFAULT_PROMOTION_RULE}). Writes nothing to the ERP or the config; audits `shadow.report`.
 */
export async function shadowReport(
  deps: ShadowReportDependencies,
  workflow: AnyWorkflow,
  options: ShadowReportOptions = {},
): Promise<ShadowReport> {
  const { field, since, collected, reads, unreadable, judged } = await judgeShadowDecisions(
    deps,
    workflow,
    options,
  );
  const tally = tallyAgreement(judged, workflow.task.labels);
  const rule = workflow.policy.promotion ?? DEFAULT_PROMOTION_RULE;
  const promotion = evaluatePromotion({
    workflow: workflow.name,
    mode: workflow.policy.mode,
    rule,
    decided: tally.totals.decided,
    agreement: tally.totals.agreement,
    location: deps.configFile ? modeLocation(deps.configFile, workflow.name) : null,
  });
  const { runs } = collected;
  const report: ShadowReport = {
    format: SHADOW_REPORT_FORMAT,
    workflow: workflow.name,
    entity: workflow.entity.name,
    field,
    mode: workflow.policy.mode,
    since,
    generatedAt: (deps.now?.() ?? new Date()).toISOString(),
    runs: { count: runs.length, first: runs[0]?.id ?? null, last: runs.at(-1)?.id ?? null },
    withoutValue: collected.withoutValue,
    superseded: collected.superseded,
    unreadable,
    reads: { strategy: reads, records: collected.decisions.length },
    ...tally,
    promotion,
  };
  await deps.audit.record(
    'shadow.report',
    null,
    {
      workflow: workflow.name,
      field,
      since,
      runs: runs.map((run) => run.id),
      decisions: tally.totals.decisions,
      decided: tally.totals.decided,
      agreed: tally.totals.agreed,
      agreement: tally.totals.agreement,
      coverage: tally.totals.coverage,
      promotion: { holds: promotion.holds, rule, suggestion: promotion.suggestion?.text ?? null },
    },
    options.actor,
  );
  return report;
}

/** A workflow's shadow decisions, each judged against the record as it is in the ERP now. */
export interface JudgedShadowDecisions {
  field: string;
  since: string | null;
  collected: ShadowDecisions;
  judged: JudgedDecision[];
  reads: 'get' | 'scan';
  unreadable: number;
}

/**
 * Collects a workflow's shadow decisions (one per record) and judges each against the record's
 * current value, read through the workflow's connection and profile. The report and the labeled
 * data export (`labels export --from shadow`) both start here.
 */
export async function judgeShadowDecisions(
  deps: Pick<ShadowReportDependencies, 'store' | 'connect'>,
  workflow: AnyWorkflow,
  options: Pick<ShadowReportOptions, 'since' | 'field' | 'reads'> = {},
): Promise<JudgedShadowDecisions> {
  const field = options.field ?? workflow.fields[0];
  if (field === undefined || !workflow.fields.includes(field)) {
    throw new RangeError(
      `workflow ${workflow.name} writes ${workflow.fields.join(', ')}; it cannot be compared on ${field}`,
    );
  }
  const since = options.since === undefined ? null : sinceInstant(options.since);
  const collected = await collectShadowDecisions(deps.store, workflow, field, since ? { since } : {});
  const connection = await deps.connect(workflow.connector);
  const current = await readCurrentValues(
    connection,
    workflow.entity.mapping(workflow.profile),
    collected.decisions.map((decision) => decision.recordId),
    field,
    options.reads ? { strategy: options.reads } : {},
  );
  const judged: JudgedDecision[] = collected.decisions.map((decision) => ({
    decision,
    judgement: current.unreadable.has(decision.recordId)
      ? { outcome: 'undecided', humanValue: null, how: null }
      : judge(decision, current.records.get(decision.recordId) ?? null),
  }));
  return {
    field,
    since,
    collected,
    judged,
    reads: current.strategy,
    unreadable: current.unreadable.size,
  };
}

/** `YYYY-MM-DD` (the start of that day, UTC) or an ISO instant, as an ISO instant. */
export function sinceInstant(since: string): string {
  const text = /^\d{4}-\d{2}-\d{2}$/.test(since) ? `${since}T00:00:00.000Z` : since;
  const date = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(since) || Number.isNaN(date.getTime())) {
    throw new RangeError(`--since takes a date as YYYY-MM-DD (or an ISO instant), not "${since}"`);
  }
  return date.toISOString();
}

/** The line of `workflows.<name>.policy.mode` in the config file, when it is written there. */
function modeLocation(file: string, workflow: string): ModeLocation {
  if (!existsSync(file)) return { file, line: null };
  const source = parseYamlSource(readFileSync(file, 'utf8'), file);
  const path = ['workflows', workflow, 'policy', 'mode'];
  let node: unknown = source.value;
  for (const key of path) {
    node = fieldValue(node, key);
  }
  return { file, line: node === undefined ? null : (source.lineOf(path) ?? null) };
}
