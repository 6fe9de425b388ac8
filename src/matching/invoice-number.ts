/**
 * Invoice numbers as people and OCR re-type them: a number sent twice rarely comes back identical.
 * Two keys per number, both upper case with look-alike characters folded (`O`→`0`, `I`/`L`→`1`,
 * `S`→`5`, `B`→`8`): the `compact` key drops every separator; the `unpadded` key also drops the
 * leading zeros of each digit group. Numbers with equal keys are the same number.
 */

const LOOK_ALIKES: Readonly<Record<string, string>> = { O: '0', I: '1', L: '1', S: '5', B: '8' };

function folded(number: string): string {
  return number.toUpperCase().replace(/[OILSB]/g, (char) => LOOK_ALIKES[char] ?? char);
}

/** Upper case, look-alikes folded, separators dropped: `inv-0O4711` → `1NV004711`. */
export function compactKey(number: string): string {
  return folded(number).replace(/[^0-9A-Z]/g, '');
}

/** Like {@link compactKey}, and the leading zeros of each run of digits dropped: `RE002026-00815` → `RE2026815`. */
export function unpaddedKey(number: string): string {
  return folded(number)
    .split(/[^0-9A-Z]+/)
    .map((group) => group.replace(/(^|\D)0+(?=\d)/g, '$1'))
    .join('');
}

/** How two invoice numbers relate, strongest first. */
export type NumberRelation =
  | { kind: 'identical' }
  | { kind: 'same-number'; how: string }
  | { kind: 'extended'; suffix: string }
  | { kind: 'one-character'; at: number }
  | { kind: 'different' };

/** Levenshtein distance, stopping early once it exceeds `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
      current.push(value);
      best = Math.min(best, value);
    }
    if (best > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length] ?? limit + 1;
}

/**
 * How `a` and `b` relate: identical; the same number written differently (case, separators,
 * leading zeros, look-alike characters); one extended by a short suffix (`-DUP`, `/A`, `-1`); one
 * character apart (a typo — or simply the supplier's next number); or different.
 */
export function relateNumbers(a: string, b: string, maxSuffix: number): NumberRelation {
  const left = a.trim();
  const right = b.trim();
  if (left === right) return { kind: 'identical' };
  const compactA = compactKey(left);
  const compactB = compactKey(right);
  if (compactA === compactB)
    return { kind: 'same-number', how: 'written with other separators or characters' };
  if (unpaddedKey(left) === unpaddedKey(right))
    return { kind: 'same-number', how: 'written with other leading zeros' };
  const [shorter, longer] = compactA.length <= compactB.length ? [compactA, compactB] : [compactB, compactA];
  if (shorter.length >= 4 && longer.startsWith(shorter) && longer.length - shorter.length <= maxSuffix) {
    return { kind: 'extended', suffix: longer.slice(shorter.length) };
  }
  if (
    compactA.length === compactB.length &&
    compactA.length >= 4 &&
    editDistance(compactA, compactB, 1) === 1
  ) {
    let at = 0;
    while (compactA[at] === compactB[at]) at++;
    return { kind: 'one-character', at };
  }
  return { kind: 'different' };
}
