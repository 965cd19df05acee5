import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseImportMapping, rowToSegmentCall, toTimestamp, type ImportMapping } from './import-mapping';

const mappingOf = (raw: unknown): ImportMapping => {
  const parsed = parseImportMapping(raw);
  if (!parsed.ok) throw new Error(`${parsed.problem.field}: ${parsed.problem.message}`);
  return parsed.mapping;
};

describe('import mapping', () => {
  const cdnow = mappingOf(JSON.parse(readFileSync(join(__dirname, '../../imports/cdnow-pos-receipts.mapping.json'), 'utf8')));

  it('given the CDNOW mapping, when a receipt row is mapped, then it is an Order Completed track call in USD with a per-line order id', () => {
    const result = rowToSegmentCall({ line: 2, raw: ' 00001 19970101  1   11.77', values: { customer_id: '00001', date: '19970101', number_of_cds: '1', dollar_value: '11.77' } }, cdnow);
    expect(result).toEqual({
      ok: true,
      rowKey: '00001\u001f19970101\u001f2',
      call: { type: 'track', event: 'Order Completed', userId: '00001', timestamp: '1997-01-01T00:00:00', properties: { order_id: '00001-19970101-2', revenue: 11.77, quantity: 1, currency: 'USD' } },
    });
  });

  it('rejects a row whose number column is not a number, naming the column', () => {
    const result = rowToSegmentCall({ line: 9, raw: '', values: { customer_id: '1', date: '19970101', number_of_cds: '1.5', dollar_value: '3' } }, cdnow);
    expect(result).toMatchObject({ ok: false, rejection: { code: 'INVALID_FIELD', field: 'number_of_cds' } });
  });

  it('leaves out empty cells instead of sending empty strings', () => {
    const mapping = mappingOf({ format: 'csv', call: 'identify', fields: { userId: 'id', 'traits.email': 'email' }, rowId: ['id'] });
    expect(rowToSegmentCall({ line: 2, raw: '', values: { id: 'u1', email: '' } }, mapping)).toMatchObject({ ok: true, call: { type: 'identify', userId: 'u1' } });
    expect(rowToSegmentCall({ line: 2, raw: '', values: { id: 'u1', email: '' } }, mapping)).not.toHaveProperty('call.traits');
  });

  it.each([
    [{ format: 'xml' }, 'format'],
    [{ csv: { delimiter: ';;' }, event: 'E', fields: { userId: 'u' } }, 'csv.delimiter'],
    [{ call: 'track', fields: { userId: 'u' } }, 'event'],
    [{ call: 'page', fields: { userId: 'u' } }, 'call'],
    [{ call: 'identify', fields: { 'traits.email': 'e' } }, 'fields.userId'],
    [{ call: 'identify', fields: { userId: { column: 'u', type: 'date' } } }, 'fields.userId.type'],
    [{ call: 'identify', fields: { userId: 'u', email: 'e' } }, 'fields.email'],
    [{ call: 'identify', fields: { userId: 'u' }, rowId: [] }, 'rowId'],
  ])('refuses %j naming %s', (raw, field) => {
    const parsed = parseImportMapping(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem.field).toBe(field);
  });

  it('reads timestamps in the declared format and refuses what does not match it', () => {
    expect(toTimestamp('20240315', 'yyyyMMdd', 'timestamp')).toEqual({ ok: true, value: '2024-03-15T00:00:00' });
    expect(toTimestamp('15/03/2024 09:30', 'dd/MM/yyyy HH:mm', 'timestamp')).toEqual({ ok: true, value: '2024-03-15T09:30:00' });
    expect(toTimestamp('1700000000', 'epoch_s', 'timestamp')).toEqual({ ok: true, value: 1_700_000_000_000 });
    expect(toTimestamp('2024315', 'yyyyMMdd', 'timestamp')).toMatchObject({ ok: false, rejection: { code: 'INVALID_TIMESTAMP' } });
    expect(toTimestamp('2024-03-15', 'yyyyMMdd', 'timestamp')).toMatchObject({ ok: false });
  });
});
