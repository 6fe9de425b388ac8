import type Database from 'better-sqlite3';
import { URGENCY_LABELS, type UrgencyLabel } from './hidden-rules.ts';

/** The hidden-rule labels of the open orders as of the seed's today: for evaluation only. */
export function readTruthLabels(db: Database.Database): Record<string, UrgencyLabel> {
  const rows = db
    .prepare<[], { po_number: string; label: string }>(
      'SELECT po_number, label FROM truth_labels ORDER BY po_number',
    )
    .all();
  const labels: Record<string, UrgencyLabel> = {};
  for (const row of rows) {
    const label = URGENCY_LABELS.find((candidate) => candidate === row.label);
    if (!label) throw new Error(`truth_labels holds an unknown label "${row.label}" for ${row.po_number}`);
    labels[row.po_number] = label;
  }
  return labels;
}
