import type { ComponentChildren } from 'preact';
import { formatValue } from './format.ts';

/** The fields a change touches: every field of `before` and `after`, in that order. */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])];
}

/**
 * A field-level diff: field, before, after (and what the ERP read back, when given). `renderAfter`
 * replaces the after cell, e.g. with an input while editing.
 */
export function FieldDiff({
  before,
  after,
  readBack,
  renderAfter,
}: {
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  readBack?: Record<string, unknown> | null;
  renderAfter?: (field: string) => ComponentChildren;
}) {
  return (
    <table class="table diff">
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Before</th>
          <th scope="col">After</th>
          {readBack ? <th scope="col">Read back</th> : null}
        </tr>
      </thead>
      <tbody>
        {changedFields(before, after).map((field) => (
          <tr key={field} data-field={field}>
            <th scope="row">{field}</th>
            <td class="before">{formatValue(before[field])}</td>
            <td class="after" data-testid={`after-${field}`}>
              {renderAfter ? renderAfter(field) : formatValue(after[field])}
            </td>
            {readBack ? <td>{formatValue(readBack[field])}</td> : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
