import type { Run } from '../api/types.ts';
import { Legend } from '../charts/legend.tsx';
import { StackedBars, type StackedColumn } from '../charts/stacked-bars.tsx';
import { routeHref } from '../route.ts';
import { formatClock } from '../shared/format.ts';
import { CHANGE_STATE_COLOURS, CHANGE_STATES, ITEM_COLOURS } from '../shared/state-colours.ts';

/**
 * Items per state over time: one column per run, oldest left, stacking the items that planned
 * nothing, the items that failed, and the run's changes by state (together: the records read).
 */
export function RunStateChart({ runs }: { runs: Run[] }) {
  const columns: StackedColumn[] = [...runs]
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
    .map((run) => ({
      key: run.id,
      label: formatClock(run.createdAt),
      href: routeHref({ screen: 'run', runId: run.id, recordId: null }),
      segments: [
        { key: 'unchanged', value: run.stats.unchanged, colour: ITEM_COLOURS.unchanged },
        { key: 'failed items', value: run.stats.failed, colour: ITEM_COLOURS.failed },
        ...CHANGE_STATES.map((state) => ({
          key: `${state} changes`,
          value: run.stats.changes[state] ?? 0,
          colour: CHANGE_STATE_COLOURS[state],
        })),
      ],
    }));
  return (
    <>
      <StackedBars columns={columns} label="Items per state, one column per run" />
      <Legend
        entries={[
          { label: 'unchanged', colour: ITEM_COLOURS.unchanged },
          { label: 'failed items', colour: ITEM_COLOURS.failed },
          ...CHANGE_STATES.map((state) => ({
            label: `${state} changes`,
            colour: CHANGE_STATE_COLOURS[state],
          })),
        ]}
      />
    </>
  );
}
