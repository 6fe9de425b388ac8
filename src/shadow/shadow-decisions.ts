import type { z } from 'zod';
import type { Run } from '../engine/run.ts';
import type { AnyWorkflow } from '../engine/workflow.ts';
import type { Store } from '../store/contract.ts';
import { fieldValue, type ShadowDecision, sameValue } from './judgement.ts';

/** A workflow's shadow decisions, one per record, and what was left out. */
export interface ShadowDecisions {
  /** The shadow runs read, oldest first. */
  runs: Run[];
  /** One per record: the decision it is judged by (see {@link collectShadowDecisions}). */
  decisions: ShadowDecision[];
  /** Items whose AI answer names no value for the field (no change for it, and a label outside it). */
  withoutValue: number;
  /** Decisions of records other runs decided again, not judged separately. */
  superseded: number;
}

/** Items and changes read per store call. */
const PAGE = 1000;

/**
 * Reads what a workflow's shadow runs decided (runs started at or after `since`), per record.
 *
 * The AI's value for `field` is the run's change `after` where it planned one, else the item's
 * label when that is a valid value of the field (po-urgency plans changes only for the labels it
 * writes; its label is the priority it decided for every order). The field and version as the run
 * read them come from the item's stored record.
 *
 * A record decided by several runs is judged once, by the newest decision made before people
 * acted on it: of the runs that read it as the first one did (same value, same version), the
 * last. A run that read it after people acted cannot be judged against their decision.
 */
export async function collectShadowDecisions(
  store: Store,
  workflow: AnyWorkflow,
  field: string,
  options: { since?: string } = {},
): Promise<ShadowDecisions> {
  const runs = (await store.listRuns({ workflow: workflow.name }))
    .filter(
      (run) => run.policy === 'shadow' && (options.since === undefined || run.createdAt >= options.since),
    )
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  const shape: Record<string, z.ZodType> = workflow.entity.schema.shape;
  const fieldSchema = shape[field];
  const labelIsValue = (label: string) =>
    workflow.fields.length === 1 && fieldSchema !== undefined && fieldSchema.safeParse(label).success;
  const byRecord = new Map<string, ShadowDecision[]>();
  let withoutValue = 0;
  for (const run of runs) {
    const proposed = await changedValues(store, run.id, field);
    for (let offset = 0; ; offset += PAGE) {
      const items = await store.listItems(run.id, { limit: PAGE, offset });
      // A review item's label is only the review label, not an answer: nothing to judge.
      const decided = items.filter((item) => item.state !== 'failed' && item.state !== 'review');
      const lineage = await Promise.all(decided.map((item) => store.getItem(run.id, item.recordId)));
      decided.forEach((item, index) => {
        const aiValue = proposed.has(item.recordId)
          ? proposed.get(item.recordId)
          : item.label !== null && labelIsValue(item.label)
            ? item.label
            : undefined;
        if (aiValue === undefined) {
          withoutValue++;
          return;
        }
        const read = lineage[index]?.record;
        const version = fieldValue(read, 'version');
        const decision: ShadowDecision = {
          runId: run.id,
          runAt: run.createdAt,
          recordId: item.recordId,
          aiValue,
          confidence: item.confidence,
          before: fieldValue(read, field) ?? null,
          beforeVersion: typeof version === 'string' ? version : null,
        };
        const list = byRecord.get(item.recordId) ?? [];
        list.push(decision);
        byRecord.set(item.recordId, list);
      });
      if (items.length < PAGE) break;
    }
  }
  const decisions: ShadowDecision[] = [];
  let superseded = 0;
  for (const list of byRecord.values()) {
    const [first] = list;
    if (!first) continue;
    const blind = list.filter(
      (decision) =>
        sameValue(decision.before, first.before) && decision.beforeVersion === first.beforeVersion,
    );
    const chosen = blind.at(-1) ?? first;
    decisions.push(chosen);
    superseded += list.length - 1;
  }
  decisions.sort((a, b) => a.recordId.localeCompare(b.recordId));
  return { runs, decisions, withoutValue, superseded };
}

/** A run's planned values of `field`, by record id. */
async function changedValues(store: Store, runId: string, field: string): Promise<Map<string, unknown>> {
  const values = new Map<string, unknown>();
  let afterId: string | undefined;
  for (;;) {
    const page = await store.listChanges(runId, { limit: PAGE, ...(afterId ? { afterId } : {}) });
    for (const change of page) {
      if (change.revertOf === null && field in change.after) values.set(change.recordId, change.after[field]);
    }
    if (page.length < PAGE) return values;
    afterId = page.at(-1)?.id;
  }
}
