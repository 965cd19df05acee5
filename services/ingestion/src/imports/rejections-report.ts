/** The downloadable report of an import's rejected rows. Pure. */
export interface ReportedRejection {
  line: number;
  code: string;
  field: string | null;
  message: string;
  raw: string;
}

const CSV_HEADER = 'line,reason,field,message,raw';

/** RFC 4180: every text value quoted, quotes doubled, so raw lines with commas and newlines survive. */
export function rejectionsCsv(rows: readonly ReportedRejection[]): string {
  const quote = (value: string | null) => (value === null ? '' : `"${value.replace(/"/g, '""')}"`);
  return [CSV_HEADER, ...rows.map((r) => [String(r.line), quote(r.code), quote(r.field), quote(r.message), quote(r.raw)].join(','))].join('\r\n') + '\r\n';
}

export function rejectionsNdjson(rows: readonly ReportedRejection[]): string {
  return rows.map((r) => JSON.stringify({ line: r.line, reason: r.code, field: r.field, message: r.message, raw: r.raw }) + '\n').join('');
}
