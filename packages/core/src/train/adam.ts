/**
 * Adam / AdamW over flat Float32Array parameters with an instance axis: each grid cell
 * (instance) has its own learning rate, β1 and weight decay, as if it were trained alone.
 * A parameter tensor of length I·n is laid out instance-major ([I, …]).
 */
export interface AdamOptions {
  /** Per-instance β1 (the composed-feature trainer uses 0, SAELens 0.9). */
  beta1: Float64Array;
  beta2: number;
  eps: number;
  /** Decoupled weight decay (AdamW) per instance; 0 for plain Adam. */
  weightDecay?: Float64Array;
}

export class InstanceAdam {
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private t = 0;

  constructor(
    private readonly params: Float32Array[],
    private readonly instances: number,
    private readonly options: AdamOptions,
  ) {
    this.m = params.map((p) => new Float32Array(p.length));
    this.v = params.map((p) => new Float32Array(p.length));
    for (const p of params) {
      if (p.length % instances !== 0) throw new Error(`parameter of length ${p.length} is not divisible by ${instances} instances`);
    }
  }

  /** One update. `lr[i]` is instance i's learning rate at this step (schedule already applied). */
  step(grads: Float32Array[], lr: Float64Array, active?: Uint8Array): void {
    this.t += 1;
    const { beta2, eps } = this.options;
    const c2 = 1 - beta2 ** this.t;
    for (let k = 0; k < this.params.length; k++) {
      const p = this.params[k];
      const g = grads[k];
      const m = this.m[k];
      const v = this.v[k];
      const per = p.length / this.instances;
      for (let i = 0; i < this.instances; i++) {
        if (active && !active[i]) continue;
        const b1 = this.options.beta1[i];
        const c1 = 1 - b1 ** this.t;
        const stepSize = lr[i] / c1;
        const decay = 1 - lr[i] * (this.options.weightDecay ? this.options.weightDecay[i] : 0);
        const invSqrtC2 = 1 / Math.sqrt(c2);
        for (let e = i * per, end = e + per; e < end; e++) {
          const gi = g[e];
          m[e] = b1 * m[e] + (1 - b1) * gi;
          v[e] = beta2 * v[e] + (1 - beta2) * gi * gi;
          p[e] = p[e] * decay - (stepSize * m[e]) / (Math.sqrt(v[e]) * invSqrtC2 + eps);
        }
      }
    }
  }
}
