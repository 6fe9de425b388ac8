import { CHANGE_STATE_COLOURS, RUN_STATE_COLOURS } from './state-colours.ts';

const COLOURS: Record<string, string> = { ...CHANGE_STATE_COLOURS, ...RUN_STATE_COLOURS };

/** A run's or change's state as a coloured label. */
export function StateBadge({ state }: { state: string }) {
  return (
    <span class="badge" style={{ background: COLOURS[state] ?? '#8a8f98' }} data-state={state}>
      {state}
    </span>
  );
}
