/**
 * Frequent itemsets by FP-growth (Han, Pei & Yin 2000, "Mining Frequent Patterns without Candidate
 * Generation"): one pass counts items, a second builds a prefix tree of the baskets (items in
 * descending frequency), then itemsets grow from conditional trees without candidate generation.
 *
 *   mineFrequentItemsets(baskets, { minSupport | minCount, maxLength? }) -> FrequentItemsets
 *
 * Input: baskets of item ids (strings); an item repeated within a basket counts once.
 * Support threshold: an itemset is frequent when it occurs in at least `minCount` baskets. Given
 * `minSupport` (a fraction), the rule is support ≥ minSupport, so minCount = ⌈minSupport × baskets⌉:
 * 10 baskets for 0.001 of Groceries' 9,835. That is what arules' apriori applies (its rule counts
 * are reproduced only this way), although its log prints the truncated value ("Absolute minimum
 * support count: 9"). `maxLength` caps itemset size (default 10, arules' maxlen default).
 * Output: every frequent itemset (items sorted by descending item frequency, then id) with its
 * count and support = count / baskets, plus each item's basket count, and a `countOf` lookup for any
 * frequent itemset (association-rules.ts uses it for antecedent supports).
 */
import { ModelError, invalidOption } from './model-error';

export interface FrequentItemset {
  items: string[];
  count: number;
  support: number;
}

export interface MiningOptions {
  /** Fraction of baskets, (0, 1]. Ignored when minCount is given. */
  minSupport?: number;
  /** Absolute number of baskets, >= 1. */
  minCount?: number;
  /** Largest itemset to report; default 10. */
  maxLength?: number;
}

export interface FrequentItemsets {
  basketCount: number;
  minCount: number;
  itemsets: FrequentItemset[];
  /** Baskets containing each item (all items, frequent or not). */
  itemCounts: Map<string, number>;
  /** Count of a frequent itemset (any order of items); undefined when it is not frequent. */
  countOf(items: readonly string[]): number | undefined;
}

/** A prefix tree over item ranks; node 0 is the root. Parallel arrays keep it compact. */
class FpTree {
  readonly item: number[] = [-1];
  readonly count: number[] = [0];
  readonly parent: number[] = [-1];
  readonly next: number[] = [-1];
  readonly children = new Map<number, number>();
  readonly head: Int32Array;
  readonly totals: Float64Array;

  constructor(readonly width: number) {
    this.head = new Int32Array(width).fill(-1);
    this.totals = new Float64Array(width);
  }

  /** Adds a path of item ranks in ascending order with the given weight. */
  insert(path: ArrayLike<number>, length: number, weight: number): void {
    let node = 0;
    for (let i = 0; i < length; i++) {
      const item = path[i];
      const key = node * this.width + item;
      let child = this.children.get(key);
      if (child === undefined) {
        child = this.item.length;
        this.item.push(item);
        this.count.push(0);
        this.parent.push(node);
        this.next.push(this.head[item]);
        this.head[item] = child;
        this.children.set(key, child);
      }
      this.count[child] += weight;
      this.totals[item] += weight;
      node = child;
    }
  }
}

export function mineFrequentItemsets(baskets: readonly (readonly string[])[], options: MiningOptions): FrequentItemsets {
  const n = baskets.length;
  if (n === 0) throw new ModelError('EMPTY_INPUT', 'frequent itemset mining needs at least one basket');
  const minCount = resolveMinCount(options, n);
  const maxLength = options.maxLength ?? 10;
  if (!Number.isInteger(maxLength) || maxLength < 1) throw invalidOption(`maxLength must be a positive integer, got ${maxLength}`);

  // Pass 1: basket counts per item, duplicates within a basket counted once.
  const ids = new Map<string, number>();
  const names: string[] = [];
  const basketIds: Int32Array[] = [];
  let counts = new Float64Array(1024);
  // lastSeen[id] = the last basket the item was counted in, so a repeat within a basket is skipped.
  let lastSeen = new Int32Array(1024).fill(-1);
  for (let b = 0; b < n; b++) {
    const basket = baskets[b];
    const row: number[] = [];
    for (const name of basket) {
      let id = ids.get(name);
      if (id === undefined) {
        id = names.length;
        ids.set(name, id);
        names.push(name);
        if (id >= counts.length) {
          const grownCounts = new Float64Array(counts.length * 2);
          grownCounts.set(counts);
          counts = grownCounts;
          const grownSeen = new Int32Array(lastSeen.length * 2).fill(-1);
          grownSeen.set(lastSeen);
          lastSeen = grownSeen;
        }
      }
      if (lastSeen[id] === b) continue;
      lastSeen[id] = b;
      counts[id]++;
      row.push(id);
    }
    basketIds.push(Int32Array.from(row));
  }

  // Frequent items ranked by descending count (ties by name, for stable output).
  const frequent = names.map((_, id) => id).filter((id) => counts[id] >= minCount);
  frequent.sort((p, q) => counts[q] - counts[p] || (names[p] < names[q] ? -1 : names[p] > names[q] ? 1 : 0));
  const rankOf = new Int32Array(names.length).fill(-1);
  frequent.forEach((id, rank) => (rankOf[id] = rank));
  const width = frequent.length;

  // Pass 2: the FP-tree of the baskets restricted to frequent items.
  const tree = new FpTree(width);
  const path = new Int32Array(Math.max(1, maxBasketLength(basketIds)));
  for (const row of basketIds) {
    let length = 0;
    for (let i = 0; i < row.length; i++) {
      const rank = rankOf[row[i]];
      if (rank >= 0) path[length++] = rank;
    }
    if (length === 0) continue;
    path.subarray(0, length).sort();
    tree.insert(path, length, 1);
  }

  const found: Array<{ ranks: number[]; count: number }> = [];
  growth(tree, [], minCount, maxLength, found);

  const encode = keyEncoder(width);
  const byKey = new Map<string, number>();
  const itemsets: FrequentItemset[] = found.map(({ ranks, count }) => {
    ranks.sort((p, q) => p - q);
    byKey.set(encode(ranks), count);
    return { items: ranks.map((r) => names[frequent[r]]), count, support: count / n };
  });
  const itemCounts = new Map(names.map((name, id) => [name, counts[id]]));
  return {
    basketCount: n,
    minCount,
    itemsets,
    itemCounts,
    countOf(items: readonly string[]): number | undefined {
      const ranks: number[] = [];
      for (const name of new Set(items)) {
        const id = ids.get(name);
        if (id === undefined || rankOf[id] < 0) return undefined;
        ranks.push(rankOf[id]);
      }
      ranks.sort((p, q) => p - q);
      return byKey.get(encode(ranks));
    },
  };
}

function resolveMinCount(options: MiningOptions, n: number): number {
  if (options.minCount !== undefined) {
    if (!Number.isInteger(options.minCount) || options.minCount < 1) throw invalidOption(`minCount must be a positive integer, got ${options.minCount}`);
    return options.minCount;
  }
  const support = options.minSupport;
  if (support === undefined || !(support > 0 && support <= 1)) throw invalidOption(`minSupport must be in (0, 1], got ${String(support)}`);
  // Shave off rounding error before the ceiling so that 0.1 × 30 (= 3.0000000000000004) gives 3.
  return Math.max(1, Math.ceil(support * n * (1 - 1e-12)));
}

function maxBasketLength(rows: readonly Int32Array[]): number {
  let max = 0;
  for (const row of rows) if (row.length > max) max = row.length;
  return max;
}

/** Itemsets are keyed by their sorted ranks as UTF-16 code units (two per rank beyond 65,535 items). */
function keyEncoder(width: number): (ranks: readonly number[]) => string {
  if (width <= 0xffff) return (ranks) => String.fromCharCode(...ranks);
  return (ranks) => String.fromCharCode(...ranks.flatMap((r) => [r >>> 16, r & 0xffff]));
}

function growth(tree: FpTree, suffix: number[], minCount: number, maxLength: number, out: Array<{ ranks: number[]; count: number }>): void {
  const buffer = new Int32Array(tree.width);
  // Least frequent first, as in the paper; any order yields the same itemsets.
  for (let item = tree.width - 1; item >= 0; item--) {
    const support = tree.totals[item];
    if (support < minCount) continue;
    const itemset = [...suffix, item];
    out.push({ ranks: itemset, count: support });
    if (itemset.length >= maxLength) continue;

    // Conditional pattern base: the prefix path of every node of `item`, weighted by its count.
    const conditionalTotals = new Float64Array(item);
    for (let node = tree.head[item]; node !== -1; node = tree.next[node]) {
      const weight = tree.count[node];
      for (let up = tree.parent[node]; up > 0; up = tree.parent[up]) conditionalTotals[tree.item[up]] += weight;
    }
    let any = false;
    for (let i = 0; i < item; i++) if (conditionalTotals[i] >= minCount) any = true;
    if (!any) continue;

    const conditional = new FpTree(item);
    for (let node = tree.head[item]; node !== -1; node = tree.next[node]) {
      let length = 0;
      for (let up = tree.parent[node]; up > 0; up = tree.parent[up]) {
        const it = tree.item[up];
        if (conditionalTotals[it] >= minCount) buffer[length++] = it;
      }
      if (length === 0) continue;
      // Walking up gives descending ranks; the tree wants them ascending.
      buffer.subarray(0, length).reverse();
      conditional.insert(buffer, length, tree.count[node]);
    }
    growth(conditional, itemset, minCount, maxLength, out);
  }
}
