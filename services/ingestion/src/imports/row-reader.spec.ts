import { Readable } from 'node:stream';
import { parseImportMapping, type ImportMapping } from './import-mapping';
import { readRows, type ReadRow } from './row-reader';

const mapping = (raw: Record<string, unknown>): ImportMapping => {
  const parsed = parseImportMapping({ call: 'identify', fields: { userId: 'id' }, rowId: ['id'], ...raw });
  if (!parsed.ok) throw new Error(parsed.problem.message);
  return parsed.mapping;
};

async function rows(chunks: string[], m: ImportMapping): Promise<ReadRow[]> {
  const out: ReadRow[] = [];
  for await (const row of readRows(Readable.from(chunks.map((c) => Buffer.from(c))), m)) out.push(row);
  return out;
}

describe('row reader', () => {
  it('splits whitespace-separated text with a header, whatever the chunk boundaries, numbering lines from 1', async () => {
    const read = await rows([' id  date\r\n 00', '1 19970101\n\n 002\t19970102'], mapping({ csv: { delimiter: 'whitespace' } }));
    expect(read).toEqual([
      { line: 2, raw: ' 001 19970101', values: { id: '001', date: '19970101' } },
      { line: 4, raw: ' 002\t19970102', values: { id: '002', date: '19970102' } },
    ]);
  });

  it('reads quoted CSV and reports a row with the wrong number of columns as malformed, with its line', async () => {
    const read = await rows(['id,name\n1,"Smith, Ada"\n2\n3,"multi\nline"\n'], mapping({ csv: { delimiter: ',' } }));
    expect(read).toEqual([
      { line: 2, raw: '1,"Smith, Ada"', values: { id: '1', name: 'Smith, Ada' } },
      { line: 3, raw: '2', malformed: 'expected 2 columns, found 1' },
      { line: 5, raw: '3,"multi\nline"', values: { id: '3', name: 'multi\nline' } },
    ]);
  });

  it('names columns by position without a header, and skips the lines it is told to', async () => {
    const read = await rows(['# export of 2024-03-15\na;b\n'], mapping({ csv: { delimiter: ';', header: false, skipLines: 1 } }));
    expect(read).toEqual([{ line: 2, raw: 'a;b', values: { '1': 'a', '2': 'b' } }]);
  });

  it('reads NDJSON objects and reports lines that are not JSON objects', async () => {
    const read = await rows(['{"id":"a"}\n[1]\n{"id":\n'], mapping({ format: 'ndjson' }));
    expect(read.map((r) => ('malformed' in r ? `${r.line}: malformed` : `${r.line}: ${JSON.stringify(r.values)}`))).toEqual(['1: {"id":"a"}', '2: malformed', '3: malformed']);
  });
});
