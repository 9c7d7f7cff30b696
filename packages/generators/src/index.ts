/** Ground-truth feature generators: the public API of @toy-sae/generators. */
export {
  composedCondition,
  composedFeatureMarginals,
  composedFeatureSampler,
  composedProbabilityTable,
  resolveComposedOptions,
} from "./composed.ts";
export type {
  ComposedConditionName,
  ComposedFeatureOptions,
  ComposedFeatureSampler,
  ComposedProbabilityTable,
  ResolvedComposedOptions,
} from "./composed.ts";
export {
  NOT_PSD_TOLERANCE,
  REPAIR_MIN_EIGENVALUE,
  correlatedFeatureSampler,
  createCorrelationMatrix,
  minEigenvalue,
  randomCorrelationMatrix,
  repairCorrelationMatrix,
  smallToyCorrelation,
} from "./correlated.ts";
export type { CorrelatedFeatureOptions, CorrelatedFeatureSampler, CorrelationPair, RandomCorrelationOptions } from "./correlated.ts";
export { constantProbabilities, linearProbabilities, sparseButWrongMainProbabilities } from "./probabilities.ts";
