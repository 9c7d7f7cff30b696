/**
 * Top-k selection in O(n): the mask of the `count` largest of n values, ties broken by
 * the lower index. BatchTopK selects ⌊k·B⌋ of B·dSae values every step for every instance
 * (about 1843 of 51,200 for the main toy), so a full sort per step would dominate the step.
 *
 * torch.topk breaks ties arbitrarily; we break them by index so that the same inputs
 * always give the same mask on every machine.
 */

/**
 * The value of rank `rank` (0-based) in descending order among `scratch[0..n)`, found by
 * quickselect with a three-way (Dutch flag) partition: ReLU outputs hold many exact zeros,
 * and a two-way partition degrades to O(n²) on long runs of equal values. `scratch` is
 * reordered. After too many rounds (an adversarial order) it falls back to sorting the
 * remaining range, so the worst case stays O(n log n).
 */
export function nthLargest(scratch: Float64Array, n: number, rank: number): number {
  if (!(rank >= 0 && rank < n)) throw new Error(`nthLargest: rank ${rank} is outside [0, ${n})`);
  let lo = 0;
  let hi = n - 1;
  let rounds = 0;
  const maxRounds = 2 * Math.ceil(Math.log2(n + 1)) + 16;
  while (lo < hi) {
    if (++rounds > maxRounds) {
      const rest = scratch.subarray(lo, hi + 1).sort(); // ascending
      return rest[hi - rank];
    }
    // median of three as the pivot: sorted or reverse-sorted input stays linear
    const mid = (lo + hi) >>> 1;
    const a = scratch[lo];
    const b = scratch[mid];
    const c = scratch[hi];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    // partition descending: [lo, lt) > pivot, [lt, i) == pivot, (gt, hi] < pivot
    let lt = lo;
    let gt = hi;
    let i = lo;
    while (i <= gt) {
      const v = scratch[i];
      if (v > pivot) {
        scratch[i] = scratch[lt];
        scratch[lt] = v;
        lt++;
        i++;
      } else if (v < pivot) {
        scratch[i] = scratch[gt];
        scratch[gt] = v;
        gt--;
      } else {
        i++;
      }
    }
    if (rank < lt) hi = lt - 1;
    else if (rank > gt) lo = gt + 1;
    else return pivot;
  }
  return scratch[rank];
}

/**
 * Writes into `mask[0..n)` a 1 for each of the `count` largest `values[0..n)` and 0
 * elsewhere; among values equal to the cut-off, the lowest indices are kept. `scratch`
 * must hold at least n entries. Returns the cut-off value (−Infinity when count = 0).
 */
export function topKMask(values: ArrayLike<number>, n: number, count: number, mask: Uint8Array, scratch: Float64Array): number {
  if (count <= 0) {
    mask.fill(0, 0, n);
    return Number.NEGATIVE_INFINITY;
  }
  if (count >= n) {
    mask.fill(1, 0, n);
    let min = Number.POSITIVE_INFINITY;
    for (let e = 0; e < n; e++) if (values[e] < min) min = values[e];
    return min;
  }
  for (let e = 0; e < n; e++) scratch[e] = values[e];
  const cut = nthLargest(scratch, n, count - 1);
  let above = 0;
  for (let e = 0; e < n; e++) if (values[e] > cut) above++;
  let ties = count - above; // how many values equal to the cut-off still fit, by index order
  for (let e = 0; e < n; e++) {
    const v = values[e];
    if (v > cut) mask[e] = 1;
    else if (v === cut && ties > 0) {
      mask[e] = 1;
      ties--;
    } else mask[e] = 0;
  }
  return cut;
}

/**
 * BatchTopK's selection among ReLU outputs without building the ReLU array or a mask: the
 * `count` largest of max(values[e], 0), e < n, keeping only the positive ones (a kept zero
 * contributes nothing). Returns the cut-off c and `ties`: keep every value > c, and the
 * first `ties` values (by index) equal to c — the same set `topKMask` selects on the ReLU
 * values, less its zeros. With at most `count` positive values, c = 0 and ties = 0.
 * `scratch` needs n entries.
 *
 * Large inputs are bracketed by a sample first (Floyd–Rivest): SAMPLE values spread over
 * the input by a Weyl sequence are sorted, and two sample values four standard deviations
 * either side of the wanted rank bound the cut. One pass counts the values above the
 * bracket and copies the few inside it (≈ a tenth), and the quickselect runs on those.
 * Otherwise — small inputs, a bracket reaching down to 0, or a miss (vanishingly rare,
 * never wrong) — the quickselect runs on all the positive values.
 *
 * `hint` (optional, > 0): a guess at the cut, e.g. the previous step's for the same SAE (it
 * moves little between batches). The bracket hint·(1 ± 10 %) is tried first, in one pass
 * without branches on the data (which side of a bracket a value falls is a coin toss, so
 * branches there mispredict). The result never depends on the hint, only the time does.
 */
export function positiveTopKCut(values: Float64Array, n: number, count: number, scratch: Float64Array, hint = 0): { cut: number; ties: number } {
  if (count <= 0) return { cut: Number.POSITIVE_INFINITY, ties: 0 };
  const rank = count - 1; // in descending order
  if (hint > 0 && hint < Number.POSITIVE_INFINITY && count < n) {
    const hinted = bracketedCut(values, n, rank, count, hint * (1 - HINT_WIDTH), hint * (1 + HINT_WIDTH), scratch);
    if (hinted !== null) return hinted;
  }
  if (n >= BRACKET_MIN && count < n) {
    const sample = bracketSample;
    for (let i = 0; i < SAMPLE; i++) sample[i] = values[Math.floor(((i * WEYL) % 1) * n)];
    sample.sort(); // ascending
    const at = ((n - 1 - rank) / n) * SAMPLE; // the rank's expected place in the sorted sample
    const spread = 2 * Math.sqrt(SAMPLE); // ≥ 4 standard deviations of a sample rank
    const lo = sample[Math.floor(at - spread)] ?? Number.NaN;
    const hi = sample[Math.ceil(at + spread)] ?? Number.POSITIVE_INFINITY;
    if (lo > 0) {
      let above = 0;
      let kept = 0;
      for (let e = 0; e < n; e++) {
        const v = values[e];
        if (v > hi) above++;
        else if (v >= lo) scratch[kept++] = v;
      }
      if (rank >= above && rank < above + kept) {
        const cut = nthLargest(scratch, kept, rank - above);
        for (let e = 0; e < kept; e++) if (scratch[e] > cut) above++;
        return { cut, ties: count - above };
      }
    }
  }
  let nPos = 0;
  for (let e = 0; e < n; e++) {
    const v = values[e];
    if (v > 0) scratch[nPos++] = v;
  }
  if (nPos <= count) return { cut: 0, ties: 0 };
  const cut = nthLargest(scratch, nPos, rank);
  let above = 0;
  for (let e = 0; e < nPos; e++) if (scratch[e] > cut) above++;
  return { cut, ties: count - above };
}

/**
 * The cut and ties when the wanted rank falls among the values in [lo, hi] (0 < lo ≤ hi),
 * else null. One pass counts the values above hi and copies those inside into `scratch`;
 * both without a branch (every value is written at the next free place, which advances only
 * when it is inside). The quickselect then runs on the copied values alone.
 */
function bracketedCut(values: Float64Array, n: number, rank: number, count: number, lo: number, hi: number, scratch: Float64Array): { cut: number; ties: number } | null {
  const kept = copyBracket(values, n, lo, hi, scratch);
  let above = bracketAbove[0];
  if (!(rank >= above && rank < above + kept)) return null;
  const cut = nthLargest(scratch, kept, rank - above);
  for (let e = 0; e < kept; e++) if (scratch[e] > cut) above++;
  return { cut, ties: count - above };
}

/**
 * The pass of `bracketedCut`: copies the values in [lo, hi] into `scratch` and returns how many;
 * the count above hi goes to `bracketAbove[0]`. A function of its own so that V8 optimises the
 * loop with the feedback of whole calls: compiled mid-loop inside `bracketedCut`, the code after
 * the loop had none, and the function deoptimised over and over (7 % of the small toy's step).
 */
function copyBracket(values: Float64Array, n: number, lo: number, hi: number, scratch: Float64Array): number {
  let above = 0;
  let kept = 0;
  for (let e = 0; e < n; e++) {
    const v = values[e];
    above += Number(v > hi);
    scratch[kept] = v;
    kept += Number(v >= lo) & Number(v <= hi);
  }
  bracketAbove[0] = above;
  return kept;
}
const bracketAbove = new Int32Array(1);

/** Half-width of the bracket around a hint, relative to the hint. */
const HINT_WIDTH = 0.1;

/** Inputs at least this long are bracketed by a sample before the quickselect. */
const BRACKET_MIN = 8192;
const SAMPLE = 1024;
const WEYL = 0.6180339887498949; // golden-ratio fraction: i·WEYL mod 1 is evenly spread, whatever the input's period
const bracketSample = new Float64Array(SAMPLE);
