// A strict RFC 4180 reader for CSV and TSV: quoted fields, doubled quotes, CRLF; reports the line of a syntax error.

export interface ParsedTable {
  rows: string[][];
  /** 1-based line where each row starts, for messages. */
  lines: number[];
}

export class TableSyntaxError extends Error {}

export function parseTable(text: string, delimiter: ',' | '\t'): ParsedTable {
  const rows: string[][] = [];
  const lines: number[] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let fieldWasQuoted = false;
  let line = 1;
  let rowLine = 1;
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const endRow = () => {
    row.push(field);
    // Blank lines separate nothing; pandas and R skip them too.
    if (!(row.length === 1 && row[0] === '' && !fieldWasQuoted)) {
      rows.push(row);
      lines.push(rowLine);
    }
    row = [];
    field = '';
    fieldWasQuoted = false;
    rowLine = line;
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (quoted) {
      if (c === '"') {
        if (source[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"') {
      if (field !== '') throw new TableSyntaxError(`line ${line}: a quote inside an unquoted field`);
      quoted = true;
      fieldWasQuoted = true;
    } else if (c === delimiter) {
      row.push(field);
      field = '';
      fieldWasQuoted = false;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && source[i + 1] === '\n') i++;
      line++;
      endRow();
    } else {
      if (fieldWasQuoted) throw new TableSyntaxError(`line ${line}: text after a closing quote`);
      field += c;
    }
  }
  if (quoted) throw new TableSyntaxError(`line ${rowLine}: a quoted field is never closed`);
  if (field !== '' || row.length > 0 || fieldWasQuoted) endRow();
  const width = rows[0]?.length ?? 0;
  rows.forEach((r, index) => {
    if (r.length !== width) {
      throw new TableSyntaxError(`line ${lines[index]}: ${r.length} fields where the header has ${width}`);
    }
  });
  return { rows, lines };
}
