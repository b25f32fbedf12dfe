import { DomainError } from '@lib/contracts';
import { guardCell, unguardCell } from './csv-cells';
import { parseImportCsv } from './import-csv.parser';

function refusal(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('parseImportCsv', () => {
  it('reads case-insensitive headers, a BOM, quoted cells with commas, quotes and line breaks, and numbers rows as a spreadsheet does', () => {
    const csv = '\uFEFFText,NETWORKS,scheduledat\r\n"Hello, world","TWITTER;LINKEDIN",2026-12-01 09:30\r\n\r\n"Two\nlines ""quoted""",twitter,\r\nlast,,\r\n';
    const parsed = parseImportCsv(csv, 10);
    expect(parsed.columns).toEqual(['text', 'networks', 'scheduledAt']);
    expect(parsed.rows).toEqual([
      { row: 2, line: 2, cells: { text: 'Hello, world', networks: 'TWITTER;LINKEDIN', scheduledAt: '2026-12-01 09:30' } },
      // Row 3 is blank (skipped but counted); row 4 starts on line 4 and spans two lines.
      { row: 4, line: 4, cells: { text: 'Two\nlines "quoted"', networks: 'twitter', scheduledAt: '' } },
      { row: 5, line: 6, cells: { text: 'last', networks: '', scheduledAt: '' } },
    ]);
  });

  it('refuses unknown, repeated and missing columns, naming each', () => {
    const err = refusal(() => parseImportCsv('texte,networks,colour,networks\nx,y,z,w\n', 10));
    expect(err.code).toBe('PUBLISHING.IMPORT_CSV_INVALID');
    expect((err.details?.errors as { field: string }[]).map((e) => e.field)).toEqual(['texte', 'colour', 'networks', 'text']);
  });

  it('hints at the delimiter when the file is semicolon-separated', () => {
    const err = refusal(() => parseImportCsv('text;networks\nx;TWITTER\n', 10));
    expect(err.details?.detail).toContain('comma-separated');
  });

  it('names the line where an unbalanced quote opens, whatever follows', () => {
    const err = refusal(() => parseImportCsv('text,networks\nok,TWITTER\nfine,TWITTER\n"broken,TWITTER\nmore,LINKEDIN\n', 10));
    expect(err.code).toBe('PUBLISHING.IMPORT_CSV_INVALID');
    expect(err.details?.line).toBe(4);
    expect(err.message).toContain('line 4');
  });

  it('keeps quotes inside an unquoted cell as written (hand-written files)', () => {
    const { rows } = parseImportCsv('text\nHe said "hi"\n', 10);
    expect(rows[0].cells.text).toBe('He said "hi"');
  });

  it('keeps a row with more cells than the header for the row report instead of refusing the file; missing trailing cells are empty', () => {
    const { rows } = parseImportCsv('text,networks,tags\nHello, world,TWITTER,x\nshort\n', 10);
    expect(rows[0].fieldCount).toEqual({ expected: 3, actual: 4 });
    expect(rows[1]).toEqual({ row: 3, line: 3, cells: { text: 'short', networks: '', tags: '' } });
  });

  it('refuses an empty file, a header without rows, and more rows than allowed', () => {
    expect(refusal(() => parseImportCsv('', 10)).code).toBe('PUBLISHING.IMPORT_CSV_INVALID');
    expect(refusal(() => parseImportCsv('text\n\n', 10)).code).toBe('PUBLISHING.IMPORT_CSV_INVALID');
    const tooMany = refusal(() => parseImportCsv('text\na\nb\nc\n', 2));
    expect(tooMany.code).toBe('PUBLISHING.IMPORT_ROWS_LIMIT_REACHED');
    expect(tooMany.details?.max).toBe(2);
  });

  it('accepts the columns only an export writes, keeping status and ignoring the rest', () => {
    const { columns, rows } = parseImportCsv('id,status,text,publishedAt,networkStatuses,networkErrors\n0193,DRAFT,hi,,TWITTER=PENDING,\n', 10);
    expect(columns).toEqual(['text']);
    expect(rows[0]).toMatchObject({ cells: { text: 'hi' }, status: 'DRAFT' });
  });

  it('removes the formula guard an export adds', () => {
    const { rows } = parseImportCsv("text,tags\n'=1+2,'-draft;x\n''=keep one\n", 10);
    expect(rows.map((r) => r.cells)).toEqual([{ text: '=1+2', tags: '-draft;x' }, { text: "'=keep one", tags: '' }]);
  });
});

describe('formula guard', () => {
  it.each(['=HYPERLINK("http://x")', '+1', '-1', '@SUM(A1)', '\tx', '\rx', "'=x", "''+x", "'plain", 'plain', ''])('round-trips %j and never lets a cell start a formula', (value) => {
    const guarded = guardCell(value);
    expect(guarded).not.toMatch(/^[=+\-@\t\r]/);
    expect(unguardCell(guarded)).toBe(value);
  });
});
