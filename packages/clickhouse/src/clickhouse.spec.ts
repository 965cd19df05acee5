import { sessionStatements } from './clickhouse';

describe('sessionStatements', () => {
  it('selects the database, applies the settings, and sets readonly last', () => {
    expect(sessionStatements({ database: 'cdp', settings: { max_result_rows: 10, result_overflow_mode: 'throw' }, readOnly: true })).toEqual([
      'USE cdp',
      'SET max_result_rows = 10',
      "SET result_overflow_mode = 'throw'",
      'SET readonly = 1',
    ]);
  });

  it('quotes string values so that they stay one literal', () => {
    expect(sessionStatements({ settings: { log_comment: "it's \\ fine" } })).toEqual(["SET log_comment = 'it\\'s \\\\ fine'"]);
  });

  it('refuses readonly among the settings: it has to come after them', () => {
    expect(() => sessionStatements({ settings: { readonly: 1 } })).toThrow(/readOnly option/);
  });
});
