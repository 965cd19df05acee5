/**
 * What POST /v1/sql lets through, decided on ClickHouse's own reading of the query rather than on
 * its text: `formatQuerySingleLine` (one statement, canonical form), `EXPLAIN AST` (statement kind,
 * table functions, functions, output clauses) and `EXPLAIN QUERY TREE` (every table the query
 * reads, with CTEs, aliases and unqualified names resolved by the analyzer).
 *
 * The dumps are text, one node per line, indented one space (AST) or two (query tree) per level.
 * Names are printed unquoted, so a quoted alias can smuggle a line break and add lines of its
 * own; every rule here therefore refuses when some line matches, and added lines can only cause
 * a refusal, never hide a line ClickHouse printed.
 */

export type Refusal =
  | { code: 'SQL_WRITE_REFUSED' | 'SQL_DDL_REFUSED' | 'SQL_STATEMENT_REFUSED'; refused: string; message: string }
  | { code: 'SQL_OUTPUT_REFUSED'; refused: string; message: string }
  | { code: 'SQL_TABLE_FUNCTION_REFUSED'; refused: string; message: string }
  | { code: 'SQL_FUNCTION_REFUSED'; refused: string; message: string }
  | { code: 'SQL_TABLE_REFUSED'; refused: string; message: string };

const WRITES = new Set(['INSERT', 'DELETE', 'UPDATE', 'TRUNCATE', 'OPTIMIZE']);
const DDL = new Set(['CREATE', 'ALTER', 'DROP', 'RENAME', 'ATTACH', 'DETACH', 'EXCHANGE', 'UNDROP', 'REPLACE']);

/** Table functions that generate rows and read nothing. */
export const ALLOWED_TABLE_FUNCTIONS: ReadonlySet<string> = new Set(['numbers', 'numbers_mt', 'zeros', 'zeros_mt', 'generateseries', 'generate_series', 'values']);

/**
 * Functions that read outside the query's tables: files (`file` reads one even on a read-only
 * session), dictionaries and Join tables (which may live in any database), other tables' schemas,
 * the server's configuration, model files.
 */
const REFUSED_FUNCTIONS: ReadonlySet<string> = new Set([
  'file',
  'joinget',
  'joingetornull',
  'hascolumnintable',
  'getserversetting',
  'catboostevaluate',
  'naivebayesclassifier',
]);
const REFUSED_FUNCTION_PREFIXES = ['dict'];

/** The tables a query may name besides the analytics database: `system.one` is what `SELECT 1` reads. */
const ALLOWED_OUTSIDE_TABLES: ReadonlySet<string> = new Set(['system.one']);

/**
 * Refuses what is not a SELECT, from the first keyword of the canonical statement (it comes from
 * formatQuerySingleLine, so it is upper case and without comments). Queries start with SELECT,
 * WITH or a parenthesis; their AST is checked again in inspectAst.
 */
export function refuseNonQuery(canonical: string): Refusal | null {
  const keyword = /^\s*([A-Za-z]+|\()/.exec(canonical)?.[1]?.toUpperCase() ?? '';
  if (keyword === 'SELECT' || keyword === 'WITH' || keyword === '(') return null;
  const name = keyword || canonical.trim().split(/\s+/, 1)[0] || 'this';
  if (WRITES.has(keyword)) return { code: 'SQL_WRITE_REFUSED', refused: name, message: `${name} statements are refused: this endpoint runs read-only queries` };
  if (DDL.has(keyword)) return { code: 'SQL_DDL_REFUSED', refused: name, message: `${name} statements are refused: this endpoint runs read-only queries` };
  return { code: 'SQL_STATEMENT_REFUSED', refused: name, message: `${name} statements are refused: only SELECT queries run here` };
}

interface Line {
  depth: number;
  label: string;
}

function lines(dump: string, indent: number): Line[] {
  const out: Line[] = [];
  for (const raw of dump.split('\n')) {
    if (raw.trim() === '') continue;
    const spaces = raw.length - raw.trimStart().length;
    out.push({ depth: Math.floor(spaces / indent), label: raw.trim() });
  }
  return out;
}

/**
 * Checks an `EXPLAIN AST <query> FORMAT <format>` dump. The explained query's FORMAT clause is
 * the `<format>` the service appended, printed as the root's last Identifier; an INTO OUTFILE
 * clause would be a Literal under the root (and would write a file on the server, read-only or
 * not), a second Identifier a FORMAT of the query's own.
 */
export function inspectAst(dump: string): Refusal | null {
  const all = lines(dump, 1);
  const root = all[0];
  if (!root || !root.label.startsWith('SelectWithUnionQuery')) {
    const name = root?.label.split(/\s+/, 1)[0] ?? 'empty';
    return { code: 'SQL_STATEMENT_REFUSED', refused: name, message: `only SELECT queries run here, not ${name}` };
  }
  let identifiers = 0;
  for (const line of all) {
    if (line.depth !== 1) continue;
    if (line.label.startsWith('Literal')) {
      return { code: 'SQL_OUTPUT_REFUSED', refused: 'INTO OUTFILE', message: 'INTO OUTFILE is refused: results come back in the response' };
    }
    if (line.label.startsWith('Identifier') && ++identifiers > 1) {
      return { code: 'SQL_OUTPUT_REFUSED', refused: 'FORMAT', message: 'a FORMAT clause is refused: choose the format with the request\'s "format" member' };
    }
    if (!/^(ExpressionList|Set|Identifier)\b/.test(line.label)) {
      return { code: 'SQL_OUTPUT_REFUSED', refused: line.label.split(/\s+/, 1)[0]!, message: 'output clauses are refused: results come back in the response' };
    }
  }
  for (let i = 0; i < all.length; i++) {
    const line = all[i]!;
    const fn = /^Function (\S+)/.exec(line.label)?.[1];
    if (fn === undefined) continue;
    const parent = parentOf(all, i);
    if (parent?.label.startsWith('TableExpression')) {
      if (!ALLOWED_TABLE_FUNCTIONS.has(fn.toLowerCase())) {
        return { code: 'SQL_TABLE_FUNCTION_REFUSED', refused: fn, message: `the table function ${fn}() is refused: queries read the analytics tables only` };
      }
      continue;
    }
    if (isRefusedFunction(fn)) {
      return { code: 'SQL_FUNCTION_REFUSED', refused: fn, message: `the function ${fn}() is refused: it reads outside the analytics tables` };
    }
  }
  return null;
}

function parentOf(all: readonly Line[], index: number): Line | undefined {
  const depth = all[index]!.depth;
  for (let i = index - 1; i >= 0; i--) if (all[i]!.depth < depth) return all[i];
  return undefined;
}

function isRefusedFunction(name: string): boolean {
  const lower = name.toLowerCase();
  return REFUSED_FUNCTIONS.has(lower) || REFUSED_FUNCTION_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

/**
 * Checks an `EXPLAIN QUERY TREE` dump: every table the analyzer resolved (CTEs inlined, views
 * as themselves, unqualified names in the session's database) must be in `database`, and no
 * table function or refused function may remain.
 */
export function inspectQueryTree(dump: string, database: string): Refusal | null {
  for (const { label } of lines(dump, 2)) {
    const table = /^TABLE id: \d+,.*?\btable_name: (.+)$/.exec(label)?.[1]?.trim();
    if (table !== undefined) {
      if (!table.startsWith(`${database}.`) && !ALLOWED_OUTSIDE_TABLES.has(table)) {
        return { code: 'SQL_TABLE_REFUSED', refused: table, message: `${table} is refused: queries read the tables of the ${database} database only` };
      }
      continue;
    }
    const tableFunction = /^TABLE_FUNCTION id: \d+,.*?\btable_function_name: ([^,\s]+)/.exec(label)?.[1];
    if (tableFunction !== undefined && !ALLOWED_TABLE_FUNCTIONS.has(tableFunction.toLowerCase())) {
      return { code: 'SQL_TABLE_FUNCTION_REFUSED', refused: tableFunction, message: `the table function ${tableFunction}() is refused: queries read the analytics tables only` };
    }
    const fn = /^FUNCTION id: \d+, function_name: ([^,\s]+)/.exec(label)?.[1];
    if (fn !== undefined && isRefusedFunction(fn)) {
      return { code: 'SQL_FUNCTION_REFUSED', refused: fn, message: `the function ${fn}() is refused: it reads outside the analytics tables` };
    }
  }
  return null;
}
