const WIDTH = 240;
const HEIGHT = 70;
const PAD = 4;
/** Room above the line for the scale label. */
const PAD_TOP = 16;

/** A small line over time (epoch ms → value) from 0 to its maximum, e.g. a concurrency limit. */
export function LineChart({ points, label }: { points: { at: number; value: number }[]; label: string }) {
  if (points.length === 0) return <span class="muted">no data</span>;
  const first = points[0]?.at ?? 0;
  const last = Math.max(first + 1, ...points.map((point) => point.at));
  const top = Math.max(1, ...points.map((point) => point.value));
  const x = (at: number) => PAD + ((at - first) / (last - first)) * (WIDTH - 2 * PAD);
  const y = (value: number) => HEIGHT - PAD - (value / top) * (HEIGHT - PAD - PAD_TOP);
  const path = points.map((point) => `${x(point.at).toFixed(1)},${y(point.value).toFixed(1)}`).join(' ');
  // One point is a flat line: the limit was fixed the whole time.
  const drawn = points.length === 1 ? `${PAD},${y(top)} ${WIDTH - PAD},${y(top)}` : path;
  return (
    <svg class="chart chart-small" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={label}>
      <line x1={PAD} x2={WIDTH - PAD} y1={y(0)} y2={y(0)} class="chart-axis" />
      <polyline points={drawn} class="chart-line" />
      <text x={WIDTH - PAD} y={12} class="chart-label" text-anchor="end">
        max {top}
      </text>
    </svg>
  );
}
