import { splitSqlStatements } from './sql-statements';

describe('splitSqlStatements', () => {
  it('splits a script into its statements', () => {
    expect(splitSqlStatements('CREATE DATABASE a;\nCREATE TABLE a.t (x UInt8) ENGINE = Memory;\n')).toEqual([
      'CREATE DATABASE a',
      'CREATE TABLE a.t (x UInt8) ENGINE = Memory',
    ]);
  });

  it('keeps semicolons that sit inside strings, identifiers and comments', () => {
    const script = [
      "-- first; a comment",
      "INSERT INTO t VALUES ('a;b', 'it\\'s; fine');",
      '/* block; comment */ SELECT `odd;name`, "x;y" FROM t',
    ].join('\n');
    expect(splitSqlStatements(script)).toEqual([
      "-- first; a comment\nINSERT INTO t VALUES ('a;b', 'it\\'s; fine')",
      '/* block; comment */ SELECT `odd;name`, "x;y" FROM t',
    ]);
  });

  it('drops pieces that hold only whitespace or comments', () => {
    expect(splitSqlStatements(';;\n-- nothing here\n; /* nor here */')).toEqual([]);
    expect(splitSqlStatements('SELECT 1;\n-- trailing note\n')).toEqual(['SELECT 1']);
  });
});
