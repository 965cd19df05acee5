/**
 * Splits a SQL script into statements on `;`, ignoring semicolons inside quoted strings, quoted
 * identifiers and comments. Needed because a ClickHouse server's HTTP interface runs exactly one
 * statement per request (the embedded engine accepts several, so relying on that would make the
 * same migration behave differently against a server).
 */
export function splitSqlStatements(script: string): string[] {
  const statements: string[] = [];
  let current = '';
  let meaningful = false; // whether `current` holds anything besides whitespace and comments
  let i = 0;
  const flush = () => {
    if (meaningful) statements.push(current.trim());
    current = '';
    meaningful = false;
  };
  while (i < script.length) {
    const ch = script[i]!;
    const next = script[i + 1];
    if (ch === '-' && next === '-') {
      const end = script.indexOf('\n', i);
      const stop = end === -1 ? script.length : end;
      current += script.slice(i, stop);
      i = stop;
    } else if (ch === '/' && next === '*') {
      const end = script.indexOf('*/', i + 2);
      const stop = end === -1 ? script.length : end + 2;
      current += script.slice(i, stop);
      i = stop;
    } else if (ch === "'" || ch === '"' || ch === '`') {
      let j = i + 1;
      while (j < script.length && script[j] !== ch) j += script[j] === '\\' ? 2 : 1;
      current += script.slice(i, j + 1);
      meaningful = true;
      i = j + 1;
    } else if (ch === ';') {
      flush();
      i++;
    } else {
      if (!/\s/.test(ch)) meaningful = true;
      current += ch;
      i++;
    }
  }
  flush();
  return statements;
}
