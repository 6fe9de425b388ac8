/** One bar on a time axis: from `start` to `end` (epoch ms). */
export interface TimelineBar {
  key: string;
  label: string;
  start: number;
  end: number;
  colour: string;
  title: string;
  href?: string;
}

const WIDTH = 760;
const LABEL_WIDTH = 170;
const ROW_HEIGHT = 16;
const ROW_GAP = 5;
const AXIS_HEIGHT = 18;
const MIN_BAR_WIDTH = 3;

/** Bars on a shared time axis, one row each, in the order given. */
export function Timeline({ bars, label }: { bars: TimelineBar[]; label: string }) {
  if (bars.length === 0) return null;
  const from = Math.min(...bars.map((bar) => bar.start));
  const to = Math.max(from + 1000, ...bars.map((bar) => bar.end));
  const plotWidth = WIDTH - LABEL_WIDTH - 8;
  const x = (ms: number) => LABEL_WIDTH + ((ms - from) / (to - from)) * plotWidth;
  const height = bars.length * (ROW_HEIGHT + ROW_GAP) + AXIS_HEIGHT;

  return (
    <svg class="chart" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={label}>
      {bars.map((bar, row) => {
        const y = row * (ROW_HEIGHT + ROW_GAP);
        const rect = (
          <rect
            x={x(bar.start)}
            y={y}
            width={Math.max(MIN_BAR_WIDTH, x(bar.end) - x(bar.start))}
            height={ROW_HEIGHT}
            rx={3}
            fill={bar.colour}
          >
            <title>{bar.title}</title>
          </rect>
        );
        return (
          <g key={bar.key}>
            <text x={0} y={y + ROW_HEIGHT - 4} class="chart-label">
              {bar.label}
            </text>
            {bar.href ? <a href={bar.href}>{rect}</a> : rect}
          </g>
        );
      })}
      <line
        x1={LABEL_WIDTH}
        x2={WIDTH - 8}
        y1={height - AXIS_HEIGHT + 2}
        y2={height - AXIS_HEIGHT + 2}
        class="chart-axis"
      />
      <text x={LABEL_WIDTH} y={height - 3} class="chart-label">
        {new Date(from).toLocaleString()}
      </text>
      <text x={WIDTH - 8} y={height - 3} class="chart-label" text-anchor="end">
        {new Date(to).toLocaleString()}
      </text>
    </svg>
  );
}
