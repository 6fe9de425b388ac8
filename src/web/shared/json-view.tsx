/** A value as indented JSON, for records and payloads whose fields the console does not know. */
export function JsonView({ value }: { value: unknown }) {
  return (
    <pre class="json">{value === undefined || value === null ? '—' : JSON.stringify(value, null, 2)}</pre>
  );
}
