/**
 * Spreadsheets run a cell that starts with = + - @ (or a tab or CR) as a formula: an exported
 * post text like `=HYPERLINK(...)` would execute in the reader's spreadsheet. Export prefixes such
 * cells with an apostrophe (the same guard as the audit export); import removes exactly that
 * apostrophe again. Cells that already start with apostrophes before such a character get one
 * more, so every string survives export → import unchanged.
 */
const NEEDS_GUARD = /^'*[=+\-@\t\r]/;
const GUARDED = /^'+[=+\-@\t\r]/;

export function guardCell(value: string): string {
  return NEEDS_GUARD.test(value) ? `'${value}` : value;
}

export function unguardCell(value: string): string {
  return GUARDED.test(value) ? value.slice(1) : value;
}

/** `a; b;;c ` → `['a', 'b', 'c']` (list cells: networks, media, tags). */
export function splitList(cell: string | undefined, separator: RegExp = /;/): string[] {
  if (!cell) return [];
  return cell
    .split(separator)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export const LIST_SEPARATOR = ';';
