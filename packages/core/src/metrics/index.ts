/** Ground-truth and reconstruction metrics on plain row-major Float32Array/Float64Array matrices. */
export type { FloatArray } from "./shape.ts";
export { cosineMatrix, normalizeRows } from "./cosine.ts";
export { monosemanticity, monosemanticityPerLatent } from "./monosemanticity.ts";
export { featureRecovery, maxCosPerFeature, maxCosPerLatent, mmcsSaeToTrue, mmcsTrueToSae } from "./mmcs.ts";
export { mcc, mccMatching, type MatchedPair, type MccResult } from "./mcc.ts";
export {
  geometricMedian,
  geometricMedianWithInfo,
  type GeometricMedianOptions,
  type GeometricMedianResult,
} from "./geometric-median.ts";
export {
  deadLatents,
  explainedVariancePooled,
  firingDensity,
  fvuPerSample,
  l0,
  relativeReconstructionBias,
  shrinkage,
  varianceExplained,
} from "./reconstruction.ts";
