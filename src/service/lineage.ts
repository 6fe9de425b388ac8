import type { Approval, Change, ChangeOutcome } from '../engine/change.ts';
import type { Item } from '../engine/run.ts';
import type { AuditEntry, Store } from '../store/contract.ts';

/** One record's way through a run, for the console's lineage view. */
export interface Lineage {
  item: Omit<Item, 'record' | 'aiInput'>;
  /** The canonical record as read from the ERP. */
  record: unknown;
  /** What went to the AI for it. */
  aiInput: unknown;
  answer: { label: string | null; confidence: number | null; explanation: string | null };
  change: Change | null;
  approvals: Approval[];
  /** What the write found, once attempted. */
  write: (ChangeOutcome & { state: Change['state'] }) | null;
  /** Every audit entry of the run that names the record or its change, oldest first. */
  audit: AuditEntry[];
}

/** Audit entries read per page while looking for the record's. */
const AUDIT_PAGE = 2000;

/**
 * Builds a record's lineage from its item, its change and the run's audit entries. The audit part
 * scans the run's entries (a few hundred per 100,000 records, plus one per write); fine for a
 * person opening one record.
 */
export async function lineageOf(store: Store, runId: string, recordId: string): Promise<Lineage | null> {
  const item = await store.getItem(runId, recordId);
  if (!item) return null;
  const change = (await store.getChange(`${runId}:${recordId}`)) ?? null;
  const { record, aiInput, ...plain } = item;
  const needles = [JSON.stringify(recordId), ...(change ? [JSON.stringify(change.id)] : [])];
  const audit: AuditEntry[] = [];
  for (let fromSeq = 0; ; ) {
    const page = await store.readAudit({ runId, fromSeq, limit: AUDIT_PAGE });
    for (const entry of page) {
      const text = JSON.stringify(entry.payload);
      if (needles.some((needle) => text.includes(needle))) audit.push(entry);
    }
    const last = page.at(-1);
    if (page.length < AUDIT_PAGE || !last) break;
    fromSeq = last.seq + 1;
  }
  return {
    item: plain,
    record: record ?? null,
    aiInput: aiInput ?? null,
    answer: { label: item.label, confidence: item.confidence, explanation: change?.explanation ?? null },
    change,
    approvals: change?.approvals ?? [],
    write: change?.outcome ? { ...change.outcome, state: change.state } : null,
    audit,
  };
}
