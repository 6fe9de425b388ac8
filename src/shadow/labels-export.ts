import type { AnyWorkflow } from '../engine/workflow.ts';
import type { Store } from '../store/contract.ts';
import type { ReadStrategy } from './current-values.ts';
import type { LabeledRow } from './labeled-data.ts';
import { judgeShadowDecisions, type ShadowReportDependencies, sinceInstant } from './shadow-report.ts';

/** Where labeled data comes from: people's edits before approving, or their decisions in the ERP on shadow runs. */
export const LABEL_SOURCES = ['edits', 'shadow'] as const;
export type LabelSource = (typeof LABEL_SOURCES)[number];

/** Labeled rows and the records left out, with why. */
export interface CollectedLabels {
  field: string;
  rows: LabeledRow[];
  skipped: { recordId: string; runId: string; reason: string }[];
}

/** Edits and items read per store call. */
const PAGE = 1000;

/**
 * People's edits of one workflow's AI values as labeled rows: the item's `aiInput` (found by the
 * edit's run and record) with the person's value as the label. Only edits of `field` (default the
 * workflow's first writable field), made at or after `since`.
 */
export async function collectEditedLabels(
  store: Store,
  workflow: AnyWorkflow,
  options: { field?: string; since?: string } = {},
): Promise<CollectedLabels> {
  const field = fieldOf(workflow, options.field);
  const since = options.since === undefined ? undefined : sinceInstant(options.since);
  const rows: LabeledRow[] = [];
  const skipped: CollectedLabels['skipped'] = [];
  let afterId: string | undefined;
  for (;;) {
    const edits = await store.listLabeledEdits({
      workflow: workflow.name,
      limit: PAGE,
      ...(since ? { since } : {}),
      ...(afterId ? { afterId } : {}),
    });
    const wanted = edits.filter((edit) => edit.field === field);
    const items = await Promise.all(wanted.map((edit) => store.getItem(edit.runId, edit.recordId)));
    wanted.forEach((edit, index) => {
      const input = items[index]?.aiInput;
      if (input === undefined || input === null) {
        skipped.push({
          recordId: edit.recordId,
          runId: edit.runId,
          reason: 'no AI input stored for its item',
        });
        return;
      }
      rows.push({
        input,
        label: edit.humanValue,
        meta: {
          source: 'edit',
          recordId: edit.recordId,
          runId: edit.runId,
          field,
          aiValue: edit.aiValue,
          aiConfidence: edit.aiConfidence,
          by: edit.editedBy,
          at: edit.editedAt,
        },
      });
    });
    if (edits.length < PAGE) break;
    afterId = edits.at(-1)?.id;
  }
  return { field, rows, skipped };
}

/**
 * What people decided in the ERP about a shadow workflow's decisions, as labeled rows: for every
 * record people have acted on since (see `judge`), the item's `aiInput` with the value they set
 * as the label — whether or not it agrees with the AI.
 */
export async function collectShadowLabels(
  deps: Pick<ShadowReportDependencies, 'store' | 'connect'>,
  workflow: AnyWorkflow,
  options: { field?: string; since?: string; reads?: ReadStrategy } = {},
): Promise<CollectedLabels> {
  const field = fieldOf(workflow, options.field);
  const { judged } = await judgeShadowDecisions(deps, workflow, { ...options, field });
  const acted = judged.filter(
    ({ judgement }) => judgement.outcome === 'agreed' || judgement.outcome === 'disagreed',
  );
  const rows: LabeledRow[] = [];
  const skipped: CollectedLabels['skipped'] = [];
  for (let start = 0; start < acted.length; start += PAGE) {
    const page = acted.slice(start, start + PAGE);
    const items = await Promise.all(
      page.map(({ decision }) => deps.store.getItem(decision.runId, decision.recordId)),
    );
    page.forEach(({ decision, judgement }, index) => {
      const input = items[index]?.aiInput;
      if (input === undefined || input === null) {
        skipped.push({
          recordId: decision.recordId,
          runId: decision.runId,
          reason: 'no AI input stored for its item',
        });
        return;
      }
      rows.push({
        input,
        label: judgement.humanValue,
        meta: {
          source: 'shadow',
          recordId: decision.recordId,
          runId: decision.runId,
          field,
          aiValue: decision.aiValue,
          aiConfidence: decision.confidence,
          by: null,
          at: decision.runAt,
        },
      });
    });
  }
  return { field, rows, skipped };
}

function fieldOf(workflow: AnyWorkflow, field: string | undefined): string {
  const chosen = field ?? workflow.fields[0];
  if (chosen === undefined || !workflow.fields.includes(chosen)) {
    throw new RangeError(
      `workflow ${workflow.name} writes ${workflow.fields.join(', ')}; it has no labels for ${chosen}`,
    );
  }
  return chosen;
}
