import type { RunDetail } from '../api/types.ts';
import { formatDuration } from '../shared/format.ts';
import { StateBadge } from '../shared/state-badge.tsx';
import { CHANGE_STATES } from '../shared/state-colours.ts';

/** A run's figures: records read, items and changes by state, time spent. */
export function RunCounts({ detail }: { detail: RunDetail }) {
  const { run } = detail;
  return (
    <div class="figures" data-testid="run-counts">
      <Figure label="Records read" value={run.stats.read} />
      <Figure label="Planned items" value={detail.items.planned ?? 0} />
      <Figure label="Unchanged" value={detail.items.unchanged ?? 0} />
      <Figure label="Failed items" value={detail.items.failed ?? 0} />
      <Figure label="Extract" value={formatDuration(run.stats.extractMs)} />
      <Figure label="Apply" value={formatDuration(run.stats.applyMs)} />
      <div class="figure wide">
        <span class="figure-label">Changes</span>
        <span class="change-counts">
          {CHANGE_STATES.filter((state) => detail.changes[state]).map((state) => (
            <span key={state} data-testid={`changes-${state}`}>
              <StateBadge state={state} /> {detail.changes[state]}
            </span>
          ))}
          {CHANGE_STATES.every((state) => !detail.changes[state]) ? 'none' : null}
        </span>
      </div>
    </div>
  );
}

function Figure({ label, value }: { label: string; value: string | number }) {
  return (
    <div class="figure">
      <span class="figure-label">{label}</span>
      <span class="figure-value">{value}</span>
    </div>
  );
}
