/** One column of stacked segments. */
export interface StackedColumn {
  key: string;
  label: string;
  segments: { key: string; value: number; colour: string }[];
  href?: string;
}

const HEIGHT = 150;
const AXIS_HEIGHT = 18;
const SCALE_WIDTH = 44;
const MAX_COLUMN_WIDTH = 36;
const WIDTH = 760;

/** Columns of stacked values on one scale (the tallest column fills the height). */
export function StackedBars({ columns, label }: { columns: StackedColumn[]; label: string }) {
  if (columns.length === 0) return null;
  const totals = columns.map((column) => column.segments.reduce((sum, segment) => sum + segment.value, 0));
  const top = Math.max(1, ...totals);
  const plotHeight = HEIGHT - AXIS_HEIGHT;
  const slot = (WIDTH - SCALE_WIDTH) / columns.length;
  const columnWidth = Math.min(MAX_COLUMN_WIDTH, slot * 0.7);

  return (
    <svg class="chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={label}>
      <text x={SCALE_WIDTH - 6} y={10} class="chart-label" text-anchor="end">
        {top}
      </text>
      <text x={SCALE_WIDTH - 6} y={plotHeight} class="chart-label" text-anchor="end">
        0
      </text>
      <line x1={SCALE_WIDTH} x2={WIDTH} y1={plotHeight} y2={plotHeight} class="chart-axis" />
      {columns.map((column, index) => {
        const x = SCALE_WIDTH + index * slot + (slot - columnWidth) / 2;
        let y = plotHeight;
        const rects = column.segments
          .filter((segment) => segment.value > 0)
          .map((segment) => {
            const height = (segment.value / top) * plotHeight;
            y -= height;
            return (
              <rect key={segment.key} x={x} y={y} width={columnWidth} height={height} fill={segment.colour}>
                <title>{`${column.label} · ${segment.key}: ${segment.value}`}</title>
              </rect>
            );
          });
        const bar = <g>{rects}</g>;
        return (
          <g key={column.key}>
            {column.href ? <a href={column.href}>{bar}</a> : bar}
            <text x={x + columnWidth / 2} y={HEIGHT - 4} class="chart-label" text-anchor="middle">
              {column.label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
