import { CsvError, parse } from 'csv-parse/sync';
import { DomainError } from '@lib/contracts';
import { BulkErrors } from './bulk.errors';
import { unguardCell } from './csv-cells';

/** Columns an import reads (header names are case-insensitive). */
export const IMPORT_COLUMNS = ['text', 'networks', 'scheduledAt', 'media', 'campaign', 'tags', 'link', 'hashtags', 'mentions', 'overrides'] as const;
/**
 * Columns only an export writes; an import accepts them so an exported file goes back in as is.
 * They are ignored, except `status`: a row whose status is DRAFT stays a draft.
 */
export const EXPORT_ONLY_COLUMNS = ['id', 'status', 'publishedAt', 'networkStatuses', 'networkErrors'] as const;

export type ImportColumn = (typeof IMPORT_COLUMNS)[number];
type KnownColumn = ImportColumn | (typeof EXPORT_ONLY_COLUMNS)[number];

const KNOWN = new Map<string, KnownColumn>([...IMPORT_COLUMNS, ...EXPORT_ONLY_COLUMNS].map((c) => [c.toLowerCase(), c]));

/** One data record of the file. */
export interface CsvRow {
  /** Spreadsheet row number: the header is row 1 (blank rows are counted, as a spreadsheet shows them). */
  row: number;
  /** Line of the file the record starts on (differs from `row` after cells with line breaks). */
  line: number;
  /** Cells by column, formula guards removed. */
  cells: Partial<Record<ImportColumn, string>>;
  /** `DRAFT` keeps the row a draft whatever its time (from an exported file's status column). */
  status?: string;
  /** The record has more fields than the header (an unquoted comma, usually). */
  fieldCount?: { expected: number; actual: number };
}

export interface ParsedCsv {
  columns: ImportColumn[];
  rows: CsvRow[];
}

function invalid(message: string, extra: Record<string, unknown> = {}): DomainError {
  return new DomainError(BulkErrors.csvInvalid, message, extra);
}

interface Parsed {
  record: string[];
  info: { lines: number };
  raw: string;
}

/**
 * Reads the file: header checks first (a `text` column is required; unknown or repeated columns
 * are refused, named), then every record. A file that is not CSV at all (an unbalanced quote)
 * is refused naming the line where the broken record starts.
 */
export function parseImportCsv(source: string, maxRows: number): ParsedCsv {
  let records: Parsed[];
  let lastEnd = 0;
  try {
    records = parse(source, {
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      info: true,
      raw: true,
      on_record: (record: string[], context: { lines: number }) => {
        lastEnd = context.lines;
        return record;
      },
    }) as unknown as Parsed[];
  } catch (err) {
    if (err instanceof CsvError) {
      // An unclosed quote is found at the end of the file; the record it opened starts after the last good one.
      const line = err.code === 'CSV_QUOTE_NOT_CLOSED' ? lastEnd + 1 : ((err as CsvError & { lines?: number }).lines ?? lastEnd + 1);
      const what = err.code === 'CSV_QUOTE_NOT_CLOSED' ? `a quoted cell opened in the record starting on line ${line} is never closed` : `line ${line}: ${err.message.replace(/^[^:]*:\s*/, '')}`;
      throw invalid(`The file is not valid CSV: ${what}`, { line, detail: 'Quote cells that contain commas, quotes or line breaks with "…", and double quotes inside them ("")' });
    }
    throw err;
  }
  if (!records.length) throw invalid('The file is empty; the first row must name the columns', { errors: [{ field: 'text', messages: ['a header row with a text column is required'] }] });

  const header = records[0].record.map((h) => h.replace(/^\uFEFF/, '').trim());
  const columns = readHeader(header);
  const rows: CsvRow[] = [];
  for (let i = 1; i < records.length; i++) {
    const { record, info, raw } = records[i];
    if (record.every((c) => c.trim() === '')) continue; // blank line or a row of empty cells
    const body = raw.replace(/^(\r?\n|\r)+/, '').replace(/(\r?\n|\r)$/, '');
    const line = info.lines - (body.match(/\r?\n|\r/g)?.length ?? 0);
    const cells: CsvRow['cells'] = {};
    let status: string | undefined;
    columns.forEach((col, idx) => {
      const value = unguardCell(record[idx] ?? '');
      if (col === 'status') status = value.trim();
      else if (col !== null && (IMPORT_COLUMNS as readonly string[]).includes(col)) cells[col as ImportColumn] = value;
    });
    const row: CsvRow = { row: i + 1, line, cells, ...(status ? { status } : {}) };
    // More cells than columns shifts every cell after an unquoted comma; fewer just leaves the last ones empty.
    if (record.length > header.length) row.fieldCount = { expected: header.length, actual: record.length };
    rows.push(row);
    if (rows.length > maxRows) {
      throw new DomainError(BulkErrors.tooManyRows, `An import takes at most ${maxRows} rows`, { detail: `Split the file; it has more than ${maxRows} data rows`, max: maxRows });
    }
  }
  if (!rows.length) throw invalid('The file has a header but no rows');
  return { columns: columns.filter((c): c is ImportColumn => c !== null && (IMPORT_COLUMNS as readonly string[]).includes(c)), rows };
}

function readHeader(header: string[]): (KnownColumn | null)[] {
  const errors: { field: string; messages: string[] }[] = [];
  const seen = new Set<KnownColumn>();
  const columns = header.map((name, i) => {
    if (!name) {
      errors.push({ field: `column ${i + 1}`, messages: ['the header cell is empty; name the column or remove it'] });
      return null;
    }
    const col = KNOWN.get(name.toLowerCase());
    if (!col) {
      const hint = name.includes(';') ? ' (the file must be comma-separated)' : '';
      errors.push({ field: name, messages: [`unknown column${hint}; known columns: ${[...IMPORT_COLUMNS, ...EXPORT_ONLY_COLUMNS].join(', ')}`] });
      return null;
    }
    if (seen.has(col)) errors.push({ field: name, messages: ['the column appears twice'] });
    seen.add(col);
    return col;
  });
  if (!seen.has('text')) {
    errors.push({ field: 'text', messages: ['a text column is required (the first row must name the columns)'] });
  }
  if (errors.length) {
    throw invalid(`The header row is not valid: ${errors.map((e) => e.field).join(', ')}`, {
      detail: errors.map((e) => `${e.field}: ${e.messages.join(', ')}`).join('; '),
      errors,
    });
  }
  return columns;
}
