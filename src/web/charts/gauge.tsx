/** A half-circle gauge: `value` out of `max`, amber from `warnAt`, red from `alarmAt` (fractions of max). */
export function Gauge({
  value,
  max,
  label,
  unit = '',
  warnAt = 0.7,
  alarmAt = 0.9,
  testId,
}: {
  value: number;
  max: number;
  label: string;
  unit?: string;
  warnAt?: number;
  alarmAt?: number;
  testId?: string;
}) {
  const fraction = max > 0 ? Math.min(1, Math.max(0, value / max)) : 0;
  const colour = fraction >= alarmAt ? '#d64545' : fraction >= warnAt ? '#d98e04' : '#2e9e5b';
  return (
    <figure class="gauge" data-testid={testId}>
      <svg viewBox="0 0 100 60" role="img" aria-label={`${label}: ${value}${unit} of ${max}${unit}`}>
        <path d="M 10 52 A 40 40 0 0 1 90 52" class="gauge-track" pathLength={100} />
        {fraction > 0 ? (
          <path
            d="M 10 52 A 40 40 0 0 1 90 52"
            class="gauge-value"
            pathLength={100}
            stroke={colour}
            stroke-dasharray={`${fraction * 100} 100`}
          />
        ) : null}
        <text x={50} y={48} text-anchor="middle" class="gauge-figure">
          {Number.isInteger(value) ? value : value.toFixed(1)}
          {unit}
        </text>
      </svg>
      <figcaption>
        {label} <span class="muted">/ {max}</span>
      </figcaption>
    </figure>
  );
}
