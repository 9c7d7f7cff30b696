/**
 * Seeded pseudo-random numbers. Every random draw in the project goes through an `Rng`,
 * so the same config and seed give the same numbers on every machine and backend.
 *
 * Generator: sfc32 (small, fast, passes PractRand), seeded through splitmix32 so that
 * nearby integer seeds give unrelated streams.
 */

import { ZIGGURAT_F, ZIGGURAT_R, ZIGGURAT_SCALE, ZIGGURAT_X } from "./ziggurat.ts";

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
  // initialised here and stored as int32 below: a field declared without a value starts as
  // undefined, and one that first holds a number ≥ 2³¹ becomes a boxed double; either way V8
  // gives it a generic representation that made every draw two to three times slower
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;
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
    // | 0: the same stream (every operation on the state is modulo 2³²), kept in small integers
    const init = splitmix32(seed);
    this.a = init() | 0;
    this.b = init() | 0;
    this.c = init() | 0;
    this.d = init() | 0;
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

  /**
   * The generator's four sfc32 words, written into `out` (for a WebAssembly twin that draws the
   * same stream, which hands the advanced words back with `setState`).
   */
  getState(out: Int32Array): Int32Array {
    out[0] = this.a;
    out[1] = this.b;
    out[2] = this.c;
    out[3] = this.d;
    return out;
  }

  setState(words: Int32Array): void {
    this.a = words[0] | 0;
    this.b = words[1] | 0;
    this.c = words[2] | 0;
    this.d = words[3] | 0;
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

  /**
   * Standard normal by the ziggurat method (./ziggurat.ts): two 32-bit draws per value almost
   * always (the first picks the layer and the sign, the second the point), and no log or
   * trigonometry, so about five times faster than `normal`. A different stream from `normal`'s
   * for the same seed; the copula sampler, which draws ~60 normals per sample, uses it.
   */
  zigguratNormal(): number {
    for (;;) {
      const u = this.nextUint32();
      const i = u & 255;
      const x = this.nextUint32() * ZIGGURAT_SCALE[i];
      // bit 8 is the sign, applied as a product with ±1: a branch on a coin toss mispredicts half the time
      const sign = 1 - ((u >>> 7) & 2);
      if (x < ZIGGURAT_X[i + 1]) return sign * x; // inside the next layer's width: under the curve
      if (i === 0) return sign * this.normalTail();
      // the wedge between the rectangle and the curve: accept with probability under f
      const y = ZIGGURAT_F[i] + this.uniform() * (ZIGGURAT_F[i + 1] - ZIGGURAT_F[i]);
      if (y < Math.exp(-0.5 * x * x)) return sign * x;
    }
  }

  /** A normal conditioned on exceeding the ziggurat's R (Marsaglia's tail method). */
  private normalTail(): number {
    for (;;) {
      const a = -Math.log(1 - this.uniform()) / ZIGGURAT_R; // 1 − U ∈ (0, 1]
      const b = -Math.log(1 - this.uniform());
      if (b + b >= a * a) return ZIGGURAT_R + a;
    }
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
