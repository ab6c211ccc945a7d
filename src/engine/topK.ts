/**
 * Bounded selection of the best K (score, item) pairs: a min-heap whose root
 * is the worst kept pair, so most candidates are rejected with a single
 * comparison. "Better" is a higher score, then a lower id rank (ties by id).
 * Reused across rows and users: no allocation per candidate.
 */
export class TopK {
  /** Capacity. */
  readonly k: number;
  /** Kept pairs, heap-ordered until {@link TopK.sorted} is called. */
  readonly scores: Float64Array;
  readonly items: Int32Array;
  size = 0;
  private readonly rank: ArrayLike<number>;

  /** @param rank id rank of every item index (lower wins ties). */
  constructor(k: number, rank: ArrayLike<number>) {
    this.k = k;
    this.rank = rank;
    this.scores = new Float64Array(Math.max(1, k));
    this.items = new Int32Array(Math.max(1, k));
  }

  /** Forgets every kept pair. */
  clear(): void {
    this.size = 0;
  }

  /** Offers one candidate. */
  push(item: number, score: number): void {
    const { scores, items, rank } = this;
    if (this.size < this.k) {
      // Sift up.
      let c = this.size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        const ps = scores[p];
        if (ps < score || (ps === score && rank[items[p]] > rank[item])) break;
        scores[c] = ps;
        items[c] = items[p];
        c = p;
      }
      scores[c] = score;
      items[c] = item;
      return;
    }
    if (this.k === 0) return;
    const rs = scores[0];
    if (score < rs || (score === rs && rank[item] > rank[items[0]])) return;
    // Replace the root and sift down.
    const n = this.size;
    let c = 0;
    for (;;) {
      let m = 2 * c + 1;
      if (m >= n) break;
      const r = m + 1;
      if (r < n) {
        const ms = scores[m];
        const rs2 = scores[r];
        if (rs2 < ms || (rs2 === ms && rank[items[r]] > rank[items[m]])) m = r;
      }
      const ms = scores[m];
      if (ms > score || (ms === score && rank[items[m]] < rank[item])) break;
      scores[c] = ms;
      items[c] = items[m];
      c = m;
    }
    scores[c] = score;
    items[c] = item;
  }

  /**
   * The worst kept score, or -Infinity while fewer than K are kept: a
   * candidate below it cannot enter.
   */
  threshold(): number {
    return this.size < this.k ? Number.NEGATIVE_INFINITY : this.scores[0];
  }

  /** Sorts the kept pairs best first in place and returns how many there are. */
  sorted(): number {
    // Heap sort: repeatedly move the worst to the end.
    const { scores, items, rank } = this;
    const total = this.size;
    for (let n = total; n > 1; n--) {
      const ws = scores[0];
      const wi = items[0];
      const ls = scores[n - 1];
      const li = items[n - 1];
      let c = 0;
      const m = n - 1;
      for (;;) {
        let ch = 2 * c + 1;
        if (ch >= m) break;
        const r = ch + 1;
        if (r < m) {
          const cs = scores[ch];
          const rs = scores[r];
          if (rs < cs || (rs === cs && rank[items[r]] > rank[items[ch]])) ch = r;
        }
        const cs = scores[ch];
        if (cs > ls || (cs === ls && rank[items[ch]] < rank[li])) break;
        scores[c] = cs;
        items[c] = items[ch];
        c = ch;
      }
      scores[c] = ls;
      items[c] = li;
      scores[n - 1] = ws;
      items[n - 1] = wi;
    }
    this.size = 0;
    return total;
  }
}
