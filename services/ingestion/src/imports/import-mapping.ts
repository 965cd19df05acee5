/**
 * What an import mapping says and how one row becomes a Segment call. Pure: no framework, no I/O.
 *
 * A mapping (JSON):
 * {
 *   "format": "csv" | "ndjson",
 *   "csv": { "delimiter": "," | "\t" | ";" | "|" | "whitespace", "header": true, "columns": [..], "skipLines": 0 },
 *   "call": "track" | "identify",
 *   "event": "Order Completed",                      // track only
 *   "fields": { "<target>": <source>, ... },
 *   "rowId": ["<column>" | "$line", ...]             // what identifies a row for its messageId
 * }
 * Targets: userId, anonymousId, timestamp, properties.<name>, traits.<name>, context.<name>.
 * A source is a column name, or { "column", "type": "string"|"number"|"integer"|"boolean", "format" }
 * (format for timestamps: "iso8601", "epoch_ms", "epoch_s" or a pattern of yyyy MM dd HH mm ss),
 * or { "const": value }, or { "join": [column | "$line", ...], "separator": "-" }. `$line` is the row's
 * line number in the file. Commerce fields are Segment's property names (properties.order_id,
 * properties.revenue, properties.currency, ...): the normaliser maps them as it does for the online API.
 * With `header: false` and no `columns`, columns are named by position: "1", "2", ...
 */
export type ImportFormat = 'csv' | 'ndjson';
export type ImportCall = 'track' | 'identify';
export type ValueType = 'string' | 'number' | 'integer' | 'boolean';
export type Primitive = string | number | boolean;

export type FieldSource =
  | { kind: 'column'; column: string; type: ValueType; format: string | null }
  | { kind: 'const'; value: Primitive }
  | { kind: 'join'; parts: string[]; separator: string };

export interface CsvOptions {
  /** A single character, or null for runs of spaces and tabs (fixed-width-ish text exports). */
  delimiter: string | null;
  header: boolean;
  columns: string[] | null;
  skipLines: number;
}

export interface ImportMapping {
  format: ImportFormat;
  csv: CsvOptions;
  call: ImportCall;
  event: string | null;
  fields: Array<{ target: string[]; source: FieldSource }>;
  rowId: string[] | null;
}

/** A mapping the API refuses, naming the field of the mapping at fault. */
export interface MappingProblem {
  field: string;
  message: string;
}

export type MappingResult = { ok: true; mapping: ImportMapping } | { ok: false; problem: MappingProblem };

/** A row as read: its line number, the raw text, and its values by column name (CSV) or object (NDJSON). */
export interface ImportRow {
  line: number;
  raw: string;
  values: Record<string, unknown>;
}

export interface RowRejection {
  code: 'MALFORMED_ROW' | 'INVALID_FIELD' | 'INVALID_TIMESTAMP' | 'MISSING_VALUE';
  field: string | null;
  message: string;
}

export type RowResult = { ok: true; call: Record<string, unknown>; rowKey: string } | { ok: false; rejection: RowRejection };

export const LINE_COLUMN = '$line';
const TARGET_ROOTS = ['properties', 'traits', 'context'] as const;
const VALUE_TYPES: readonly ValueType[] = ['string', 'number', 'integer', 'boolean'];
const MAX_COLUMNS = 1_000;

/** Validates a parsed mapping document; the first problem found is reported with its path. */
export function parseImportMapping(raw: unknown): MappingResult {
  const fail = (field: string, message: string): MappingResult => ({ ok: false, problem: { field, message } });
  if (!isObject(raw)) return fail('mapping', 'the mapping must be a JSON object');
  const format = raw.format ?? 'csv';
  if (format !== 'csv' && format !== 'ndjson') return fail('format', 'format must be "csv" or "ndjson"');

  const csvRaw = raw.csv ?? {};
  if (!isObject(csvRaw)) return fail('csv', 'csv must be an object');
  const delimiterRaw = csvRaw.delimiter ?? ',';
  if (typeof delimiterRaw !== 'string' || (delimiterRaw !== 'whitespace' && delimiterRaw.length !== 1) || delimiterRaw === '"' || delimiterRaw === '\n') {
    return fail('csv.delimiter', 'csv.delimiter must be one character (not a quote or newline) or "whitespace"');
  }
  const header = csvRaw.header ?? true;
  if (typeof header !== 'boolean') return fail('csv.header', 'csv.header must be true or false');
  let columns: string[] | null = null;
  if (csvRaw.columns !== undefined) {
    if (!Array.isArray(csvRaw.columns) || csvRaw.columns.length === 0 || csvRaw.columns.length > MAX_COLUMNS || !csvRaw.columns.every((c) => typeof c === 'string' && c.length > 0)) {
      return fail('csv.columns', `csv.columns must be 1 to ${MAX_COLUMNS} non-empty column names`);
    }
    if (new Set(csvRaw.columns).size !== csvRaw.columns.length) return fail('csv.columns', 'csv.columns names a column twice');
    columns = csvRaw.columns as string[];
  }
  const skipLines = csvRaw.skipLines ?? 0;
  if (!Number.isInteger(skipLines) || (skipLines as number) < 0) return fail('csv.skipLines', 'csv.skipLines must be a non-negative integer');

  const call = raw.call ?? 'track';
  if (call !== 'track' && call !== 'identify') return fail('call', 'call must be "track" or "identify"');
  let event: string | null = null;
  if (call === 'track') {
    if (typeof raw.event !== 'string' || raw.event.trim() === '') return fail('event', 'event (the name of the track call, e.g. "Order Completed") is required for track');
    event = raw.event.trim();
  }

  if (!isObject(raw.fields)) return fail('fields', 'fields must be an object of target -> source');
  const fields: ImportMapping['fields'] = [];
  for (const [target, sourceRaw] of Object.entries(raw.fields)) {
    const path = target.split('.');
    const valid =
      (path.length === 1 && ['userId', 'anonymousId', 'timestamp'].includes(path[0]!)) ||
      (path.length >= 2 && (TARGET_ROOTS as readonly string[]).includes(path[0]!) && path.every((p) => p.length > 0 && p !== '__proto__'));
    if (!valid) return fail(`fields.${target}`, 'targets are userId, anonymousId, timestamp, properties.<name>, traits.<name> or context.<name>');
    const source = parseSource(sourceRaw, `fields.${target}`);
    if ('problem' in source) return { ok: false, problem: source.problem };
    if (path[0] === 'timestamp' && source.kind === 'column' && source.format !== null && !isTimestampFormat(source.format)) {
      return fail(`fields.${target}.format`, 'format must be "iso8601", "epoch_ms", "epoch_s" or a pattern of yyyy, MM, dd, HH, mm, ss');
    }
    fields.push({ target: path, source });
  }
  if (!fields.some((f) => f.target[0] === 'userId' || f.target[0] === 'anonymousId')) {
    return fail('fields.userId', 'map userId or anonymousId: every event needs an identity');
  }

  let rowId: string[] | null = null;
  if (raw.rowId !== undefined) {
    if (!Array.isArray(raw.rowId) || raw.rowId.length === 0 || !raw.rowId.every((c) => typeof c === 'string' && c.length > 0)) {
      return fail('rowId', 'rowId must be a non-empty list of column names (or "$line")');
    }
    rowId = raw.rowId as string[];
  }
  return {
    ok: true,
    mapping: {
      format,
      csv: { delimiter: delimiterRaw === 'whitespace' ? null : delimiterRaw, header, columns, skipLines: skipLines as number },
      call,
      event,
      fields,
      rowId,
    },
  };
}

function parseSource(raw: unknown, field: string): FieldSource | { problem: MappingProblem } {
  const fail = (message: string) => ({ problem: { field, message } });
  if (typeof raw === 'string' && raw.length > 0) return { kind: 'column', column: raw, type: 'string', format: null };
  if (!isObject(raw)) return fail('a source is a column name or an object with "column", "const" or "join"');
  if ('const' in raw) {
    const value = raw.const;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return fail('const must be a string, number or boolean');
    return { kind: 'const', value };
  }
  if ('join' in raw) {
    if (!Array.isArray(raw.join) || raw.join.length === 0 || !raw.join.every((c) => typeof c === 'string' && c.length > 0)) return fail('join must be a non-empty list of column names');
    const separator = raw.separator ?? '-';
    if (typeof separator !== 'string') return fail('separator must be a string');
    return { kind: 'join', parts: raw.join as string[], separator };
  }
  if (typeof raw.column !== 'string' || raw.column.length === 0) return fail('column must name a column');
  const type = raw.type ?? 'string';
  if (!VALUE_TYPES.includes(type as ValueType)) return { problem: { field: `${field}.type`, message: `type must be one of ${VALUE_TYPES.join(', ')}` } };
  const format = raw.format ?? null;
  if (format !== null && typeof format !== 'string') return { problem: { field: `${field}.format`, message: 'format must be a string' } };
  return { kind: 'column', column: raw.column, type: type as ValueType, format };
}

/**
 * One row to the Segment call it stands for, plus the key that identifies the row within its file.
 * The normaliser then validates and cleans the call exactly as for the online API.
 */
export function rowToSegmentCall(row: ImportRow, mapping: ImportMapping): RowResult {
  const call: Record<string, unknown> = { type: mapping.call };
  if (mapping.event !== null) call.event = mapping.event;
  for (const { target, source } of mapping.fields) {
    const value = valueOf(row, source, target.join('.'));
    if (!value.ok) return value;
    if (value.value === null) continue;
    if (target[0] === 'timestamp') {
      const format = source.kind === 'column' ? source.format : null;
      const time = toTimestamp(value.value, format, target.join('.'));
      if (!time.ok) return time;
      call.timestamp = time.value;
      continue;
    }
    setPath(call, target, value.value);
  }
  const rowKey = mapping.rowId ? mapping.rowId.map((c) => (c === LINE_COLUMN ? String(row.line) : text(row.values[c]))).join('\u001f') : `line:${row.line}`;
  return { ok: true, call, rowKey };
}

function valueOf(row: ImportRow, source: FieldSource, target: string): { ok: true; value: Primitive | null } | { ok: false; rejection: RowRejection } {
  switch (source.kind) {
    case 'const':
      return { ok: true, value: source.value };
    case 'join':
      return { ok: true, value: source.parts.map((c) => (c === LINE_COLUMN ? String(row.line) : text(row.values[c]))).join(source.separator) };
    case 'column': {
      const raw = source.column === LINE_COLUMN ? row.line : row.values[source.column];
      if (raw === undefined || raw === null || raw === '') return { ok: true, value: null };
      return convert(raw, source.type, source.column, target);
    }
    default: {
      const never: never = source;
      return never;
    }
  }
}

function convert(raw: unknown, type: ValueType, column: string, target: string): { ok: true; value: Primitive } | { ok: false; rejection: RowRejection } {
  const bad = (message: string) => ({ ok: false as const, rejection: { code: 'INVALID_FIELD' as const, field: column, message: `${column} (${target}): ${message}` } });
  switch (type) {
    case 'string':
      return typeof raw === 'object' ? bad('expected a text value') : { ok: true, value: String(raw).trim() };
    case 'number':
    case 'integer': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw.trim()) : Number.NaN;
      if (!Number.isFinite(n)) return bad(`${JSON.stringify(raw)} is not a number`);
      if (type === 'integer' && !Number.isInteger(n)) return bad(`${JSON.stringify(raw)} is not an integer`);
      return { ok: true, value: n };
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      const t = String(raw).trim().toLowerCase();
      if (['true', '1', 'yes', 'y'].includes(t)) return { ok: true, value: true };
      if (['false', '0', 'no', 'n'].includes(t)) return { ok: true, value: false };
      return bad(`${JSON.stringify(raw)} is not a boolean`);
    }
    default: {
      const never: never = type;
      return never;
    }
  }
}

function isTimestampFormat(format: string): boolean {
  return format === 'iso8601' || format === 'epoch_ms' || format === 'epoch_s' || /^(yyyy|MM|dd|HH|mm|ss|[^A-Za-z])+$/.test(format);
}

const TOKEN_WIDTH: Record<string, number> = { yyyy: 4, MM: 2, dd: 2, HH: 2, mm: 2, ss: 2 };

/**
 * A timestamp column to what the normaliser reads: ISO 8601 without an offset (so the source's time
 * zone applies, as for POS exports of local time) or epoch milliseconds. Calendar checks stay in the
 * normaliser's parser.
 */
export function toTimestamp(value: Primitive, format: string | null, field: string): { ok: true; value: string | number } | { ok: false; rejection: RowRejection } {
  const bad = () => ({ ok: false as const, rejection: { code: 'INVALID_TIMESTAMP' as const, field, message: `${field} ${JSON.stringify(value)} does not match the format ${format ?? 'iso8601'}` } });
  if (format === null || format === 'iso8601') return typeof value === 'string' ? { ok: true, value } : bad();
  if (format === 'epoch_ms' || format === 'epoch_s') {
    const n = typeof value === 'number' ? value : Number(String(value).trim());
    if (!Number.isFinite(n)) return bad();
    return { ok: true, value: format === 'epoch_s' ? n * 1000 : n };
  }
  const input = String(value).trim();
  const parts: Record<string, string> = { yyyy: '', MM: '01', dd: '01', HH: '00', mm: '00', ss: '00' };
  let pos = 0;
  for (const token of format.match(/yyyy|MM|dd|HH|mm|ss|./g) ?? []) {
    const width = TOKEN_WIDTH[token];
    if (width === undefined) {
      if (input[pos] !== token) return bad();
      pos += 1;
      continue;
    }
    const digits = input.slice(pos, pos + width);
    if (!/^\d+$/.test(digits) || digits.length !== width) return bad();
    parts[token] = digits;
    pos += width;
  }
  if (pos !== input.length || parts.yyyy === '') return bad();
  return { ok: true, value: `${parts.yyyy}-${parts.MM}-${parts.dd}T${parts.HH}:${parts.mm}:${parts.ss}` };
}

function setPath(target: Record<string, unknown>, path: string[], value: Primitive): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (isObject(next)) node = next;
    else {
      const created: Record<string, unknown> = {};
      node[key] = created;
      node = created;
    }
  }
  node[path[path.length - 1]!] = value;
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value).trim();
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
