/**
 * ARENA's toy models of superposition (chapter 1.3.1, formerly 1.4; reference
 * arena-toy-models.md §1), one import for all of them:
 *
 * - `arena-tms-model.ts`: the TMS model (h = W x, out = ReLU(Wᵀh + b)) and the
 *   privileged-basis NeuronModel (h = ReLU(W x)), fused kernel and tfjs reference;
 * - `arena-computation-model.ts`: the computation-in-superposition model (target |x|);
 * - `arena-tms-train.ts`: Adam training with the constant / linear / cosine lr schedules;
 * - `arena-tms-presets.ts`: the classic configurations (figures 27–31).
 *
 * The batches come from @toy-sae/generators/arena (which depends on this package).
 */
export * from "./arena-tms-model.ts";
export * from "./arena-computation-model.ts";
export * from "./arena-tms-train.ts";
export * from "./arena-tms-presets.ts";
