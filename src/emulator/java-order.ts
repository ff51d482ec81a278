/**
 * The iteration order of Java's HashMap and ConcurrentHashMap, computed.
 *
 * The servers put months, grant types and token kinds into hash maps and write them out in
 * iteration order, so a real response is in neither calendar nor insertion order. Rather
 * than inventing an order, the writers reproduce the JDK's: keys are bucketed by their
 * spread `String.hashCode()` in a power-of-two table that doubles as it fills. Within a
 * bucket HashMap keeps insertion order across resizes; ConcurrentHashMap's transfer
 * reverses part of each bucket, which is simulated node by node.
 *
 * Not simulated: buckets that grow to 8 keys and turn into trees, and ConcurrentHashMap's
 * early resize when one bucket reaches 8 (neither happens for the few dozen distinct keys of
 * a stat response unless the hashes were chosen to collide).
 */

/** `String.hashCode()`: UTF-16 code units, 32-bit wrap-around. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** `List.hashCode()` of a list of strings (`Arrays.asList(labelValues)` in simpleclient). */
export function javaListHash(items: readonly string[]): number {
  let h = 1;
  for (const item of items) h = (Math.imul(31, h) + javaStringHash(item)) | 0;
  return h;
}

const INITIAL_CAPACITY = 16;
const TREEIFY_THRESHOLD = 8;
const MIN_TREEIFY_CAPACITY = 64;

/** `HashMap.hash()`: high bits folded into the low ones. */
function spread(h: number): number {
  return (h ^ (h >>> 16)) | 0;
}

/**
 * Iteration order of `new HashMap<>()` after `put`ting the keys in the given order
 * (duplicates keep their first position, as a second `put` replaces the value in place).
 *
 * HashMap's resize splits each bucket keeping relative order, so the final order is the
 * insertion order stably sorted by bucket index in the final table; only the final
 * capacity needs simulating.
 */
export function hashMapOrder<K>(keys: readonly K[], hash: (key: K) => number): K[] {
  let capacity = INITIAL_CAPACITY;
  const inserted: Array<{ key: K; hash: number }> = [];
  const seen = new Set<K>();
  for (const key of keys) {
    if (seen.has(key)) continue;
    seen.add(key);
    const h = spread(hash(key));
    const index = h & (capacity - 1);
    const before = inserted.filter((n) => (n.hash & (capacity - 1)) === index).length;
    inserted.push({ key, hash: h });
    // putVal: appending to a bin that already holds TREEIFY_THRESHOLD nodes resizes a small
    // table instead of building a tree.
    if (before >= TREEIFY_THRESHOLD && capacity < MIN_TREEIFY_CAPACITY) capacity *= 2;
    // Load factor 0.75.
    if (inserted.length > (capacity * 3) / 4) capacity *= 2;
  }
  const mask = capacity - 1;
  return inserted
    .map((node, seq) => ({ ...node, seq }))
    .sort((a, b) => (a.hash & mask) - (b.hash & mask) || a.seq - b.seq)
    .map((n) => n.key);
}

/**
 * Iteration order of `new ConcurrentHashMap<>()` after `put`ting the keys in the given order
 * from one thread, as simpleclient's `children` map of a labelled counter.
 */
export function concurrentHashMapOrder<K>(keys: readonly K[], hash: (key: K) => number): K[] {
  type Node = { key: K; hash: number };
  let table: Node[][] = Array.from({ length: INITIAL_CAPACITY }, () => []);
  // sizeCtl after initialisation: n - n/4.
  let sizeCtl = INITIAL_CAPACITY - (INITIAL_CAPACITY >>> 2);
  let count = 0;
  const seen = new Set<K>();

  const transfer = (): void => {
    const n = table.length;
    const next: Node[][] = Array.from({ length: n * 2 }, () => []);
    // Bins are moved from the highest index down; each is split into a low and a high list.
    for (let i = n - 1; i >= 0; i--) {
      const bin = table[i] ?? [];
      if (bin.length === 0) continue;
      const first = bin[0] as Node;
      let runBit = first.hash & n;
      let lastRun = 0;
      for (let j = 1; j < bin.length; j++) {
        const b = (bin[j] as Node).hash & n;
        if (b !== runBit) {
          runBit = b;
          lastRun = j;
        }
      }
      // The tail from lastRun on is reused as is; the nodes before it are prepended one by
      // one, which reverses them.
      const tail = bin.slice(lastRun);
      let low: Node[] = runBit === 0 ? tail : [];
      let high: Node[] = runBit === 0 ? [] : tail;
      for (let j = 0; j < lastRun; j++) {
        const node = bin[j] as Node;
        if ((node.hash & n) === 0) low = [node, ...low];
        else high = [node, ...high];
      }
      next[i] = low;
      next[i + n] = high;
    }
    table = next;
    sizeCtl = next.length - (next.length >>> 2);
  };

  for (const key of keys) {
    if (seen.has(key)) continue;
    seen.add(key);
    // ConcurrentHashMap.spread also clears the sign bit (negative hashes mark special nodes).
    const h = spread(hash(key)) & 0x7fffffff;
    const bin = table[h & (table.length - 1)] as Node[];
    bin.push({ key, hash: h });
    count++;
    // addCount: resize once the count reaches sizeCtl.
    while (count >= sizeCtl) transfer();
  }
  return table.flat().map((n) => n.key);
}
