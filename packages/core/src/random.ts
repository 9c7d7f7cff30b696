/**
 * Seeded pseudo-random numbers. Every random draw in the project goes through an `Rng`,
 * so the same config and seed give the same numbers on every machine and backend.
 *
 * Generator: sfc32 (small, fast, passes PractRand), seeded through splitmix32 so that
 * nearby integer seeds give unrelated streams.
 */

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Hash a string label to 32 bits (FNV-1a), used to derive independent child streams. */
export function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /**
   * Box–Muller's second value, waiting for the next normal() when hasSpare. A plain number field
   * with a flag, not number | null: V8 keeps a number-only field unboxed, so a draw allocates nothing.
   */
  private spareNormal = 0;
  private hasSpare = false;
  readonly seed: number;

  constructor(seed: number) {
    // seeds are 32-bit: a larger one would silently alias a smaller one (2^32 gives seed 0's stream)
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`Rng seed must be an integer in [0, 2^32 − 1], got ${seed}`);
    this.seed = seed;
    const init = splitmix32(seed);
    this.a = init();
    this.b = init();
    this.c = init();
    this.d = init();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** An independent stream for a named purpose ("data", "init/3", …): same parent seed + label ⇒ same stream. */
  fork(label: string): Rng {
    return new Rng((Math.imul(this.seed | 0, 0x27d4eb2d) ^ hashLabel(label)) >>> 0);
  }

  nextUint32(): number {
    // int32 arithmetic (| 0) keeps V8 on small-integer fast paths; the stream is unchanged.
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniformIn(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller, both values used). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spareNormal;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    this.hasSpare = true;
    return r * Math.cos(2 * Math.PI * v);
  }

  fillUniform(out: Float32Array, lo = 0, hi = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * this.uniform();
    return out;
  }

  fillNormal(out: Float32Array, mean = 0, std = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /** Index drawn from unnormalised non-negative weights (cumulative table given for speed). */
  categorical(cumulative: Float64Array): number {
    const total = cumulative[cumulative.length - 1];
    const u = this.uniform() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}
