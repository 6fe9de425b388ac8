/** Colour keys under a chart. */
export function Legend({ entries }: { entries: { label: string; colour: string }[] }) {
  return (
    <ul class="legend">
      {entries.map((entry) => (
        <li key={entry.label}>
          <span class="swatch" style={{ background: entry.colour }} aria-hidden="true" />
          {entry.label}
        </li>
      ))}
    </ul>
  );
}
