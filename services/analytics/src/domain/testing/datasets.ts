/**
 * Readers for the public retail data sets in `shared/datasets/` (see its README), used by the model
 * specs to check published figures. Pure: the caller passes the file's text, and for locating the
 * folder, an `exists` probe (node's existsSync), so domain code keeps free of node:fs.
 */
import type { Transaction } from '../transaction-summary';

/** One CDNOW purchase record: `amount` in dollars, `at` the day's UTC midnight. */
export interface CdnowRecord extends Transaction {
  customerId: string;
  at: number;
  amount: number;
  cds: number;
}

const DATASETS = 'shared/datasets';

/**
 * The nearest `shared/datasets` folder above `fromDir`: `<repo>/../shared/datasets` for a checkout
 * with `shared/` beside it (as CI lays it out), or further up for a checkout nested one level deeper.
 */
export function findDatasetsDir(fromDir: string, exists: (path: string) => boolean): string | undefined {
  let dir = fromDir.replace(/\/+$/, '');
  while (dir.length > 0) {
    const candidate = `${dir}/${DATASETS}`;
    if (exists(`${candidate}/README.md`)) return candidate;
    dir = dir.slice(0, dir.lastIndexOf('/'));
  }
  return undefined;
}

/** The subset of node:fs that readDataset needs. */
export interface FileAccess {
  existsSync(path: string): boolean;
  readFileSync(path: string, encoding: 'utf8'): string;
}

/** The text of one data set file; throws naming where it looked when the folder cannot be found. */
export function readDataset(file: string, fromDir: string, fs: FileAccess): string {
  const dir = findDatasetsDir(fromDir, (path) => fs.existsSync(path));
  if (!dir) throw new Error(`no ${DATASETS}/ folder above ${fromDir}: the data sets live beside the repository`);
  return fs.readFileSync(`${dir}/${file}`, 'utf8');
}

function utcDay(yyyymmdd: string): number {
  return Date.UTC(Number(yyyymmdd.slice(0, 4)), Number(yyyymmdd.slice(4, 6)) - 1, Number(yyyymmdd.slice(6, 8)));
}

/** `cdnow_master.txt`: header, then `customer_id date(YYYYMMDD) number_of_cds dollar_value`. */
export function parseCdnowMaster(text: string): CdnowRecord[] {
  const out: CdnowRecord[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4 || !/^\d+$/.test(f[0]) || !/^\d{8}$/.test(f[1])) continue;
    out.push({ customerId: f[0], at: utcDay(f[1]), cds: Number(f[2]), amount: Number(f[3]) });
  }
  return out;
}

/** `cdnow_sample.txt`: `original_customer_id sample_customer_id date number_of_cds dollar_value`; ids are the sample's. */
export function parseCdnowSample(text: string): CdnowRecord[] {
  const out: CdnowRecord[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5 || !/^\d+$/.test(f[1]) || !/^\d{8}$/.test(f[2])) continue;
    out.push({ customerId: f[1], at: utcDay(f[2]), cds: Number(f[3]), amount: Number(f[4]) });
  }
  return out;
}

/** `groceries.csv`: one basket per line, items comma-separated. */
export function parseBaskets(text: string): string[][] {
  return text
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line.length > 0)
    .map((line) => line.split(','));
}
