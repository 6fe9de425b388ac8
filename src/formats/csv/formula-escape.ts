/**
 * CSV injection (OWASP "CSV Injection"): a cell that starts with `=`, `+`, `-`, `@`, a tab or a
 * carriage return is run as a formula by Excel and LibreOffice when a person opens the export —
 * `=HYPERLINK(...)` in a vendor name is enough. Such cells get a leading apostrophe, which the
 * spreadsheet shows as text and hides. Numbers are written as they are: `-12.5` typed as a number
 * cannot carry a formula, and an amount must stay an amount.
 */

/** First characters that make a spreadsheet evaluate a cell. */
const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r']);

/** True when a text cell would be evaluated by a spreadsheet. Pure. */
export function looksLikeFormula(text: string): boolean {
  return text.length > 0 && FORMULA_START.has(text.charAt(0));
}

/**
 * The cell as it is safe to write: text that would be evaluated gets a leading `'`. Pure.
 *
 * @example escapeFormula('=1+2') // → "'=1+2"
 * @example escapeFormula('ACME') // → 'ACME'
 */
export function escapeFormula(text: string): string {
  return looksLikeFormula(text) ? `'${text}` : text;
}
