import type { Run } from '../api/types.ts';
import { Timeline, type TimelineBar } from '../charts/timeline.tsx';
import { routeHref } from '../route.ts';
import { formatTime, shortRunId } from '../shared/format.ts';
import { RUN_STATE_COLOURS } from '../shared/state-colours.ts';

/** Each run as a bar from its start to its last update, coloured by state, oldest on top. */
export function RunTimeline({ runs }: { runs: Run[] }) {
  const bars: TimelineBar[] = [...runs]
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
    .map((run) => ({
      key: run.id,
      label: `${run.workflow}${run.dryRun ? ' (dry)' : ''} ${shortRunId(run.id)}`,
      start: Date.parse(run.createdAt),
      end: Date.parse(run.updatedAt),
      colour: RUN_STATE_COLOURS[run.state],
      title: `${run.id}: ${run.state}, ${formatTime(run.createdAt)} → ${formatTime(run.updatedAt)}`,
      href: routeHref({ screen: 'run', runId: run.id, recordId: null }),
    }));
  return <Timeline bars={bars} label="Runs over time, coloured by state" />;
}
