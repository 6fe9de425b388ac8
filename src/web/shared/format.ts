/** How the console writes times, numbers and unknown values. */

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, TIME_STYLE);
}

const TIME_STYLE = { dateStyle: 'short', timeStyle: 'medium' } as const;

/** A time of day, for chart labels. */
export function formatClock(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString(undefined, { timeStyle: 'short' });
}

/** Milliseconds as a person reads them: whole above 10, one decimal below. */
export function formatMs(ms: number): string {
  return `${ms >= 10 ? Math.round(ms) : Math.round(ms * 10) / 10} ms`;
}

/** A run id without its date prefix (`20261204-193150-85fc` → `193150-85fc`), where space is short. */
export function shortRunId(id: string): string {
  return id.replace(/^\d{8}-/, '');
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatConfidence(confidence: number | null | undefined): string {
  return confidence == null ? '—' : confidence.toFixed(2);
}

export function formatAmount(amount: number | null | undefined, currency: string | null | undefined): string {
  if (amount == null) return '—';
  const figure = amount.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return currency ? `${figure} ${currency}` : figure;
}

/** A field value as text: strings as they are, anything else as JSON. */
export function formatValue(value: unknown): string {
  if (value === undefined) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** `{ planned: 3, failed: 1 }` → "planned 3 · failed 1". */
export function formatCounts(counts: Partial<Record<string, number>>): string {
  const parts = Object.entries(counts)
    .filter(([, count]) => count)
    .map(([state, count]) => `${state} ${count}`);
  return parts.length ? parts.join(' · ') : 'none';
}
