// A strict RFC 4180 reader for CSV and TSV: quoted fields, doubled quotes, CRLF; reports the line of a syntax error.
// Incremental: text is pushed in chunks of any size and rows come out as they complete, so a table of any size is
// read in the memory of one row.

export interface ParsedTable {
  rows: string[][];
  /** 1-based line where each row starts, for messages. */
  lines: number[];
}

export class TableSyntaxError extends Error {}

/** A row longer than the reader was told to hold: the table cannot be compared cell by cell in bounded memory. */
export class RowTooLongError extends TableSyntaxError {
  constructor(
    readonly line: number,
    readonly limit: number,
  ) {
    super(`line ${line}: a row longer than ${limit} characters`);
  }
}

/** The whole table at once: every row, and then every row's width checked against the first. */
export function parseTable(text: string, delimiter: ',' | '\t'): ParsedTable {
  const rows: string[][] = [];
  const lines: number[] = [];
  const parser = new TableParser(delimiter, (row, line) => {
    rows.push(row);
    lines.push(line);
  });
  parser.push(text);
  parser.end();
  const width = rows[0]?.length ?? 0;
  rows.forEach((r, index) => {
    if (r.length !== width) throw new TableSyntaxError(widthMessage(lines[index], r.length, width));
  });
  return { rows, lines };
}

export function widthMessage(line: number, fields: number, width: number): string {
  return `line ${line}: ${fields} fields where the header has ${width}`;
}

const quote = 34;
const lf = 10;
const cr = 13;

/**
 * Pushes rows to `onRow` as they complete. Blank lines separate nothing (pandas and R skip them too). A row longer
 * than `maxRowChars` throws RowTooLongError rather than growing without bound.
 */
export class TableParser {
  private row: string[] = [];
  private field = '';
  private quoted = false;
  private fieldWasQuoted = false;
  /** A quote ended the last chunk inside a quoted field: a doubled quote or the closing one, decided by the next. */
  private quoteAtEnd = false;
  /** A CR ended the last chunk: a LF starting the next belongs to it. */
  private crAtEnd = false;
  private started = false;
  private line = 1;
  private rowLine = 1;
  private rowChars = 0;
  private readonly delimiter: number;

  constructor(
    delimiter: ',' | '\t',
    private readonly onRow: (row: string[], line: number) => void,
    private readonly maxRowChars = Infinity,
  ) {
    this.delimiter = delimiter.charCodeAt(0);
  }

  push(chunk: string): void {
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const n = text.length;
    let i = 0;
    if (this.crAtEnd && n > 0) {
      this.crAtEnd = false;
      if (text.charCodeAt(0) === lf) i = 1;
    }
    if (this.quoteAtEnd && n > 0) {
      this.quoteAtEnd = false;
      if (text.charCodeAt(0) === quote) {
        this.append('"');
        i = 1;
      } else this.quoted = false;
    }
    while (i < n) {
      if (this.quoted) {
        const close = text.indexOf('"', i);
        const end = close < 0 ? n : close;
        this.appendQuoted(text, i, end);
        if (close < 0) return;
        if (close + 1 === n) {
          this.quoteAtEnd = true;
          return;
        }
        if (text.charCodeAt(close + 1) === quote) {
          this.append('"');
          i = close + 2;
        } else {
          this.quoted = false;
          i = close + 1;
        }
        continue;
      }
      let k = i;
      let c = 0;
      while (k < n) {
        c = text.charCodeAt(k);
        if (c === this.delimiter || c === lf || c === cr || c === quote) break;
        k++;
      }
      if (k > i) {
        if (this.fieldWasQuoted) throw new TableSyntaxError(`line ${this.line}: text after a closing quote`);
        this.append(text.slice(i, k));
      }
      if (k === n) return;
      if (c === quote) {
        if (this.field !== '') throw new TableSyntaxError(`line ${this.line}: a quote inside an unquoted field`);
        this.quoted = true;
        this.fieldWasQuoted = true;
      } else if (c === this.delimiter) {
        this.row.push(this.field);
        this.field = '';
        this.fieldWasQuoted = false;
        this.grow(1);
      } else {
        if (c === cr) {
          if (k + 1 === n) this.crAtEnd = true;
          else if (text.charCodeAt(k + 1) === lf) k++;
        }
        this.line++;
        this.endRow();
      }
      i = k + 1;
    }
  }

  end(): void {
    if (this.quoteAtEnd) {
      this.quoteAtEnd = false;
      this.quoted = false;
    }
    if (this.quoted) throw new TableSyntaxError(`line ${this.rowLine}: a quoted field is never closed`);
    if (this.field !== '' || this.row.length > 0 || this.fieldWasQuoted) this.endRow();
  }

  private append(text: string): void {
    this.field += text;
    this.grow(text.length);
  }

  private grow(chars: number): void {
    this.rowChars += chars;
    if (this.rowChars > this.maxRowChars) throw new RowTooLongError(this.rowLine, this.maxRowChars);
  }

  private appendQuoted(text: string, from: number, to: number): void {
    for (let at = text.indexOf('\n', from); at >= 0 && at < to; at = text.indexOf('\n', at + 1)) this.line++;
    if (to > from) this.append(text.slice(from, to));
  }

  private endRow(): void {
    this.row.push(this.field);
    const row = this.row;
    const blank = row.length === 1 && row[0] === '' && !this.fieldWasQuoted;
    this.row = [];
    this.field = '';
    this.fieldWasQuoted = false;
    this.rowChars = 0;
    const line = this.rowLine;
    this.rowLine = this.line;
    if (!blank) this.onRow(row, line);
  }
}
