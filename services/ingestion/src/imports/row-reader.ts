import { parse } from 'csv-parse';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { ImportMapping, ImportRow } from './import-mapping';
import { ImportError } from './import.error';

/** A row as read, or a line that is not a row (wrong column count, not JSON) with the reason. */
export type ReadRow = ImportRow | { line: number; raw: string; malformed: string };

/** Longer lines are not rows of any export we read; the cap keeps a file without newlines from filling memory. */
const MAX_LINE_BYTES = 1024 * 1024;

/**
 * The rows of a file as it streams in. Pulling (for await) is the backpressure: the next chunk of the
 * upload is read only when the consumer asks for more rows.
 */
export async function* readRows(input: Readable, mapping: ImportMapping): AsyncGenerator<ReadRow> {
  if (mapping.format === 'ndjson') {
    for await (const { line, text } of lines(input)) {
      if (line <= mapping.csv.skipLines || text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        yield { line, raw: text, malformed: `not valid JSON: ${(error as Error).message}` };
        continue;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) yield { line, raw: text, malformed: 'each line must be a JSON object' };
      else yield { line, raw: text, values: value as Record<string, unknown> };
    }
    return;
  }
  const records = mapping.csv.delimiter === null ? whitespaceRecords(input, mapping.csv.skipLines) : csvRecords(input, mapping.csv.delimiter, mapping.csv.skipLines);
  let columns = mapping.csv.columns;
  let headerSeen = !mapping.csv.header;
  for await (const { line, raw, fields } of records) {
    if (!headerSeen) {
      headerSeen = true;
      columns ??= fields.map((f) => f.trim());
      continue;
    }
    const names = columns ?? fields.map((_, i) => String(i + 1));
    if (fields.length !== names.length) {
      yield { line, raw, malformed: `expected ${names.length} columns, found ${fields.length}` };
      continue;
    }
    const values: Record<string, unknown> = {};
    names.forEach((name, i) => (values[name] = fields[i]));
    yield { line, raw, values };
  }
}

type CsvRecord = { line: number; raw: string; fields: string[] };

async function* whitespaceRecords(input: Readable, skipLines: number): AsyncGenerator<CsvRecord> {
  for await (const { line, text } of lines(input)) {
    if (line <= skipLines) continue;
    const trimmed = text.trim();
    if (trimmed === '') continue;
    yield { line, raw: text, fields: trimmed.split(/[ \t]+/) };
  }
}

async function* csvRecords(input: Readable, delimiter: string, skipLines: number): AsyncGenerator<CsvRecord> {
  const parser = input.pipe(
    parse({ delimiter, bom: true, relax_column_count: true, skip_empty_lines: true, raw: true, info: true, from_line: skipLines + 1, max_record_size: MAX_LINE_BYTES }),
  );
  // A pipe does not forward the source's errors; without this a failed upload would leave the loop waiting.
  input.once('error', (error) => parser.destroy(error));
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; raw: string; info: { lines: number } }>) {
      yield { line: item.info.lines, raw: item.raw.replace(/\r?\n$/, ''), fields: item.record };
    }
  } catch (error) {
    if (error instanceof ImportError) throw error;
    throw new ImportError('MALFORMED_FILE', `The file cannot be read as CSV: ${(error as Error).message}`, 400, { cause: error });
  }
}

/** Lines of UTF-8 text, numbered from 1; CRLF and LF both end a line. */
async function* lines(input: AsyncIterable<Buffer | string>): AsyncGenerator<{ line: number; text: string }> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let line = 0;
  for await (const chunk of input) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0;
    for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n', start)) {
      line += 1;
      const text = pending.slice(start, end);
      yield { line, text: text.endsWith('\r') ? text.slice(0, -1) : text };
      start = end + 1;
    }
    pending = pending.slice(start);
    if (pending.length > MAX_LINE_BYTES) throw new ImportError('MALFORMED_FILE', `Line ${line + 1} is longer than ${MAX_LINE_BYTES} bytes`, 400);
  }
  pending += decoder.end();
  if (pending !== '') {
    line += 1;
    yield { line, text: pending.endsWith('\r') ? pending.slice(0, -1) : pending };
  }
}
