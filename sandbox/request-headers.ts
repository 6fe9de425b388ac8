/** One request header as text: repeated headers joined with `, ` (as HTTP defines), null when absent. */
export function headerText(value: string | string[] | undefined): string | null {
  if (typeof value === 'string') return value;
  return value === undefined ? null : value.join(', ');
}
