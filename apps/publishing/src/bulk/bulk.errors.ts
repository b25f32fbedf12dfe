export const BulkErrors = {
  importNotFound: 'PUBLISHING.IMPORT_NOT_FOUND',
  /** The file cannot be read as CSV (unbalanced quote, header problems, not text/csv); 400. */
  csvInvalid: 'PUBLISHING.IMPORT_CSV_INVALID',
  /** A multipart CSV file over BULK_IMPORT_MAX_BYTES; 422. */
  fileTooLarge: 'PUBLISHING.IMPORT_SIZE_LIMIT_REACHED',
  /** More data rows than an import takes; 422. */
  tooManyRows: 'PUBLISHING.IMPORT_ROWS_LIMIT_REACHED',
  /** Too many imports of the workspace still queued or running; 422. */
  tooManyImports: 'PUBLISHING.IMPORTS_LIMIT_REACHED',
} as const;
