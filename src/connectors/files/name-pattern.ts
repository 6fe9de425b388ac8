/**
 * File-name patterns as people write them in config: `*` for any characters, `?` for one, the
 * rest literal. No folders, no character classes: an export's name is matched, not a path.
 */

/** Compiles `pattern` into a matcher. Pure. */
export function namePattern(pattern: string): (name: string) => boolean {
  const source = [...pattern]
    .map((character) => {
      if (character === '*') return '.*';
      if (character === '?') return '.';
      return character.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
    })
    .join('');
  const regex = new RegExp(`^${source}$`, 's');
  return (name) => regex.test(name);
}

/** `"po-priority-{batch}.csv"` with `{ batch: "3fa2" }` → `"po-priority-3fa2.csv"`. Pure. */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{([a-z]+)\}/g, (whole, name: string) => values[name] ?? whole);
}
