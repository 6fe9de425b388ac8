import { CHANGE_STATES, type ChangeState } from '../../engine/change.ts';
import { RUN_STATES, type RunState } from '../../engine/run.ts';

/** One colour per state, shared by every chart and badge (exhaustive: a new state fails to compile). */
export const RUN_STATE_COLOURS = {
  running: '#2f6fdf',
  planned: '#8a63d2',
  applying: '#d98e04',
  completed: '#2e9e5b',
  failed: '#d64545',
  cancelled: '#8a8f98',
} satisfies Record<RunState, string>;

export const CHANGE_STATE_COLOURS = {
  pending: '#d98e04',
  approved: '#8a63d2',
  rejected: '#8a8f98',
  applying: '#5aa9e6',
  applied: '#2e9e5b',
  conflict: '#e07b39',
  failed: '#d64545',
  reverted: '#4b5563',
} satisfies Record<ChangeState, string>;

/** Items that planned no change, and items that failed to be read or decided. */
export const ITEM_COLOURS = { unchanged: '#c9d3df', failed: '#a61b1b' } as const;

export { CHANGE_STATES, RUN_STATES };
