import type { Priority } from '../../canonical/priority.ts';
import { formatValue } from '../shared/format.ts';

/**
 * The canonical priorities, most urgent first. A type-checked copy rather than an import of
 * `PRIORITIES`: that module carries its zod schema, which would triple the console's bundle; the
 * mapped type fails to compile when a priority is added, removed or renamed.
 */
const PRIORITY_CHOICES = {
  urgent: 'urgent',
  high: 'high',
  normal: 'normal',
  low: 'low',
} as const satisfies { [P in Priority]: P };

/** Fields whose values come from a fixed list get a select; every other field a text input. */
const FIELD_CHOICES: Record<string, readonly string[]> = { priority: Object.values(PRIORITY_CHOICES) };

/** An input for one field's new value. */
export function FieldEditor({
  field,
  value,
  onChange,
}: {
  field: string;
  value: string;
  onChange: (value: string) => void;
}) {
  const choices = FIELD_CHOICES[field];
  const label = `New value of ${field}`;
  if (choices) {
    return (
      <select
        aria-label={label}
        value={value}
        onChange={(event) => onChange(event.currentTarget.value)}
        data-testid={`after-input-${field}`}
      >
        {choices.map((choice) => (
          <option key={choice} value={choice}>
            {choice}
          </option>
        ))}
      </select>
    );
  }
  return (
    <input
      aria-label={label}
      value={value}
      onInput={(event) => onChange(event.currentTarget.value)}
      data-testid={`after-input-${field}`}
    />
  );
}

/** The text an editor starts from for a proposed value. */
export function editableText(value: unknown): string {
  return typeof value === 'string' ? value : formatValue(value);
}

/**
 * The value to send for what a person typed: a number stays a number and a boolean a boolean when
 * the proposed value was one and the text still reads as one; anything else is sent as text.
 */
export function editedValue(proposed: unknown, text: string): unknown {
  if (typeof proposed === 'number' && text.trim() !== '' && Number.isFinite(Number(text)))
    return Number(text);
  if (typeof proposed === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}
