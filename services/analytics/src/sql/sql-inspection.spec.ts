import { inspectAst, inspectQueryTree, refuseNonQuery } from './sql-inspection';

// Dumps as ClickHouse 26 prints them (EXPLAIN AST ... FORMAT TabSeparatedRaw, EXPLAIN QUERY TREE).
const ast = (...lines: string[]) => lines.join('\n');

describe('read-only SQL inspection', () => {
  it('names the statement it refuses from the canonical text', () => {
    expect(refuseNonQuery('INSERT INTO cdp.events FORMAT Values')).toMatchObject({ code: 'SQL_WRITE_REFUSED', refused: 'INSERT' });
    expect(refuseNonQuery('DROP TABLE cdp.events')).toMatchObject({ code: 'SQL_DDL_REFUSED', refused: 'DROP' });
    expect(refuseNonQuery('SYSTEM FLUSH LOGS')).toMatchObject({ code: 'SQL_STATEMENT_REFUSED', refused: 'SYSTEM' });
    expect([refuseNonQuery('SELECT 1'), refuseNonQuery('WITH x AS (SELECT 1) SELECT * FROM x'), refuseNonQuery('(SELECT 1) UNION ALL (SELECT 2)')]).toEqual([null, null, null]);
  });

  it('passes a plain SELECT', () => {
    const dump = ast(
      'SelectWithUnionQuery (children 2)',
      ' ExpressionList (children 1)',
      '  SelectQuery (children 2)',
      '   ExpressionList (children 1)',
      '    Function count (children 1)',
      '   TablesInSelectQuery (children 1)',
      '    TablesInSelectQueryElement (children 1)',
      '     TableExpression (children 1)',
      '      TableIdentifier events',
      ' Identifier TabSeparatedRaw',
    );
    expect(inspectAst(dump)).toBeNull();
  });

  it('refuses INTO OUTFILE and a FORMAT of the query’s own', () => {
    const outfile = ast('SelectWithUnionQuery (children 3)', ' ExpressionList (children 1)', '  SelectQuery (children 1)', " Literal '/tmp/x'", ' Identifier TabSeparatedRaw');
    expect(inspectAst(outfile)).toMatchObject({ code: 'SQL_OUTPUT_REFUSED', refused: 'INTO OUTFILE' });
    const format = ast('SelectWithUnionQuery (children 3)', ' ExpressionList (children 1)', ' Identifier CSV', ' Identifier TabSeparatedRaw');
    expect(inspectAst(format)).toMatchObject({ code: 'SQL_OUTPUT_REFUSED', refused: 'FORMAT' });
  });

  it('refuses table functions except row generators, and functions that read outside the tables', () => {
    const tableFunction = (name: string) =>
      ast('SelectWithUnionQuery (children 2)', ' ExpressionList (children 1)', '  SelectQuery (children 2)', '   TablesInSelectQuery (children 1)', '    TablesInSelectQueryElement (children 1)', '     TableExpression (children 1)', `      Function ${name} (children 1)`, ' Identifier TabSeparatedRaw');
    expect(inspectAst(tableFunction('url'))).toMatchObject({ code: 'SQL_TABLE_FUNCTION_REFUSED', refused: 'url' });
    expect(inspectAst(tableFunction('numbers'))).toBeNull();
    const scalar = ast('SelectWithUnionQuery (children 2)', ' ExpressionList (children 1)', '  SelectQuery (children 1)', '   ExpressionList (children 1)', '    Function dictGetString (children 1)', ' Identifier TabSeparatedRaw');
    expect(inspectAst(scalar)).toMatchObject({ code: 'SQL_FUNCTION_REFUSED', refused: 'dictGetString' });
  });

  it('cannot be fooled by a line break in a quoted alias: added lines only add refusals', () => {
    const dump = ast(
      'SelectWithUnionQuery (children 2)',
      ' ExpressionList (children 1)',
      '  SelectQuery (children 2)',
      '   ExpressionList (children 1)',
      '    Literal UInt64_1 (alias x',
      ' Literal \'pretend\')',
      ' Identifier TabSeparatedRaw',
    );
    expect(inspectAst(dump)).not.toBeNull();
  });

  it('accepts the analytics tables and the implicit system.one, and names any other table', () => {
    const tree = (...tables: string[]) =>
      ['QUERY id: 0', '  JOIN TREE', ...tables.map((t, i) => `    TABLE id: ${i + 3}, alias: __table${i + 1}, table_name: ${t}`)].join('\n');
    expect(inspectQueryTree(tree('cdp.events', 'system.one'), 'cdp')).toBeNull();
    expect(inspectQueryTree(tree('cdp.events', 'system.users'), 'cdp')).toMatchObject({ code: 'SQL_TABLE_REFUSED', refused: 'system.users' });
    expect(inspectQueryTree(tree('cdpx.events'), 'cdp')).toMatchObject({ code: 'SQL_TABLE_REFUSED', refused: 'cdpx.events' });
    expect(inspectQueryTree('QUERY id: 0\n  JOIN TREE\n    TABLE_FUNCTION id: 3, alias: __table1, table_function_name: s3', 'cdp')).toMatchObject({ code: 'SQL_TABLE_FUNCTION_REFUSED', refused: 's3' });
  });
});
