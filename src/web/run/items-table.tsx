import { useState } from 'preact/hooks';
import { ITEM_STATES } from '../../engine/run.ts';
import type { Item, ItemState } from '../api/types.ts';
import { routeHref } from '../route.ts';
import { ErrorNotice } from '../shared/error-notice.tsx';
import { formatConfidence } from '../shared/format.ts';
import { useApi } from '../shared/use-api.ts';

const PAGE_SIZE = 50;

/** A run's items, a page at a time, filtered by state; each opens its lineage. */
export function ItemsTable({ runId, selected }: { runId: string; selected: string | null }) {
  const [state, setState] = useState<ItemState | ''>('');
  const [offset, setOffset] = useState(0);
  const query = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(offset) });
  if (state) query.set('state', state);
  const items = useApi<Item[]>(`/api/runs/${encodeURIComponent(runId)}/items?${query}`);
  const list = items.data ?? [];

  return (
    <div>
      <div class="toolbar">
        <label>
          State{' '}
          <select
            value={state}
            onChange={(event) => {
              setState(parseItemState(event.currentTarget.value));
              setOffset(0);
            }}
            data-testid="items-state"
          >
            <option value="">all</option>
            {ITEM_STATES.map((itemState) => (
              <option key={itemState} value={itemState}>
                {itemState}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          disabled={offset === 0}
          onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}
        >
          Previous
        </button>
        <span class="muted">{list.length ? `${offset + 1}–${offset + list.length}` : 'none'}</span>
        <button
          type="button"
          disabled={list.length < PAGE_SIZE}
          onClick={() => setOffset(offset + PAGE_SIZE)}
        >
          Next
        </button>
      </div>
      <ErrorNotice error={items.error} />
      <table class="table" data-testid="items-table">
        <thead>
          <tr>
            <th scope="col">Record</th>
            <th scope="col">State</th>
            <th scope="col">AI label</th>
            <th scope="col">Confidence</th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {list.map((item) => (
            <tr
              key={item.recordId}
              class={item.recordId === selected ? 'selected' : undefined}
              data-testid="item-row"
              data-record-id={item.recordId}
            >
              <td>
                <a
                  href={routeHref({ screen: 'run', runId, recordId: item.recordId })}
                  data-testid="item-link"
                >
                  {item.recordId}
                </a>
              </td>
              <td>{item.state}</td>
              <td>{item.label ?? '—'}</td>
              <td class="num">{formatConfidence(item.confidence)}</td>
              <td>{item.error ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function parseItemState(value: string): ItemState | '' {
  return ITEM_STATES.find((itemState) => itemState === value) ?? '';
}
