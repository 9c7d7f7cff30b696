/**
 * Config of a composed-feature grid experiment (kind "composed-grid"): the lr × L1 grid of
 * "Sparse autoencoders find composed features in small toy models" (reference §3).
 */
import { arrayOf, bool, int, num, object, oneOf, str, type Schema } from "../config/schema.ts";

export interface ConditionConfig {
  name: string;
  /** f: 1 = both active features share one amplitude, 0 = independent amplitudes. */
  setMagnitudeCorrelation: number;
  /** Fraction of draws with a single active feature. */
  oneHotProbability: number;
  correlatedPair?: [number, number];
  correlatedBoost?: number;
}

export interface ComposedGridConfig {
  name: string;
  kind: "composed-grid";
  description: string;
  seed: number;
  data: {
    setSizes: [number, number];
    hidden: number;
    conditions: ConditionConfig[];
    /** Fresh samples per condition for evaluation (the original ranks instances on 10k). */
    evalSamples: number;
  };
  model: { steps: number; batch: number; lr: number; weightDecay: number };
  sae: {
    lr: number[];
    l1: number[];
    realisations: number;
    dSae: number;
    /** Training samples per SAE; steps = ceil(samples / batch). */
    samples: number;
    batch: number;
    beta1: number;
    beta2: number;
    warmupFrac: number;
    cooldownFrac: number;
    ghostGrads: boolean;
    deadWindow: number;
    ghostCooldown: number;
    /** Model samples for the geometric-median initialisation of b_dec. */
    bDecInitSamples: number;
    engine: "fused" | "tfjs";
    /** Worker threads for the fused engine (instances are split between them). */
    threads: number;
  };
  metrics: {
    /** |cos| below which a decoder row counts as off-axis (not a true feature). */
    offAxisThreshold: number;
  };
}

const condition = object(
  {
    name: str({ pattern: /^[a-z0-9][a-z0-9-]*$/ }),
    setMagnitudeCorrelation: num({ min: 0, max: 1 }),
    oneHotProbability: num({ min: 0, max: 1 }),
    correlatedPair: arrayOf(int({ min: 0 }), { minItems: 2, maxItems: 2 }),
    correlatedBoost: num({ min: 0, max: 1 }),
  },
  ["correlatedPair", "correlatedBoost"],
);

export const schema: Schema = object({
  name: str(),
  kind: oneOf(["composed-grid"]),
  description: str(),
  seed: int({ min: 0 }),
  data: object({
    setSizes: arrayOf(int({ min: 1 }), { minItems: 2, maxItems: 2 }),
    hidden: int({ min: 1 }),
    conditions: arrayOf(condition, { minItems: 1 }),
    evalSamples: int({ min: 1 }),
  }),
  model: object({ steps: int({ min: 1 }), batch: int({ min: 1 }), lr: num({ exclusiveMin: 0 }), weightDecay: num({ min: 0 }) }),
  sae: object({
    lr: arrayOf(num({ exclusiveMin: 0 }), { minItems: 1 }),
    l1: arrayOf(num({ min: 0 }), { minItems: 1 }),
    realisations: int({ min: 1 }),
    dSae: int({ min: 1 }),
    samples: int({ min: 1 }),
    batch: int({ min: 1 }),
    beta1: num({ min: 0, max: 0.999999 }),
    beta2: num({ min: 0, max: 0.999999 }),
    warmupFrac: num({ min: 0, max: 1 }),
    cooldownFrac: num({ min: 0, max: 1 }),
    ghostGrads: bool(),
    deadWindow: int({ min: 1 }),
    ghostCooldown: int({ min: 0 }),
    bDecInitSamples: int({ min: 1 }),
    engine: oneOf(["fused", "tfjs"]),
    threads: int({ min: 1, max: 64 }),
  }),
  metrics: object({ offAxisThreshold: num({ min: 0, max: 1 }) }),
});

/** One SAE of the grid: its cell and realisation, and its index on the instance axis. */
export interface GridInstance {
  instance: number;
  condition: string;
  conditionIndex: number;
  lrIndex: number;
  l1Index: number;
  lr: number;
  l1: number;
  realisation: number;
}

/** The instance axis: condition-major, then lr, then λ, then realisation. */
export function gridInstances(c: ComposedGridConfig): GridInstance[] {
  const out: GridInstance[] = [];
  c.data.conditions.forEach((cond, conditionIndex) => {
    c.sae.lr.forEach((lr, lrIndex) => {
      c.sae.l1.forEach((l1, l1Index) => {
        for (let realisation = 0; realisation < c.sae.realisations; realisation++) {
          out.push({ instance: out.length, condition: cond.name, conditionIndex, lrIndex, l1Index, lr, l1, realisation });
        }
      });
    });
  });
  return out;
}

export function saeSteps(c: ComposedGridConfig): number {
  return Math.ceil(c.sae.samples / c.sae.batch);
}
