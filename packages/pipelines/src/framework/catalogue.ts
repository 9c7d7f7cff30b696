/**
 * Every figure of the source documents, numbered as ../shared/reference/seed-experiments.md
 * ("Figures to reproduce", 1–26) and arena-toy-models.md (27–36) list them, with the finding the
 * original reports. Kinds say which numbers they draw; the reproduction index lists all of them.
 */
export interface CatalogueFigure {
  figure: number;
  title: string;
  /** Where the original draws it. */
  source: string;
  /** What the original reports, in words (facts from the reference files). */
  finding: string;
}

// biome-ignore format: a table, one figure per line
export const CATALOGUE: readonly CatalogueFigure[] = [
  { figure: 1, title: "Feature firing probabilities P_i", source: "Sparse but Wrong, main toy", finding: "50 features with P_i linear from 0.388 to 0.05; Σp = 10.95 is the true L0 (10.96 measured on 100k samples)." },
  { figure: 2, title: "Feature correlation matrix", source: "Sparse but Wrong, main toy", finding: "A random latent correlation matrix (seed 42, strengths 0.3–0.9), shrunk by the eigenvalue repair." },
  { figure: 3, title: "Decoder cosine-similarity heatmaps (SAE L0 vs true L0)", source: "Sparse but Wrong, main toy", finding: "At k = true L0 the decoder matches the features; at k < true L0 every latent absorbs part of the most frequent feature (feature 0); the 2→11 transition ends at k = 7." },
  { figure: 4, title: "n-th decoder projection s_n^dec vs SAE L0", source: "Sparse but Wrong, main toy", finding: "s_n^dec is minimised near the true L0 (k = 11) for n ≥ 12." },
  { figure: 5, title: "Sparsity vs reconstruction tradeoff", source: "Sparse but Wrong, main toy", finding: "Below the true L0, trained SAEs explain more variance than the ground-truth SAE evaluated at the same k: low L0 rewards mixing features." },
  { figure: 6, title: "Decoder / encoder pairwise cosine similarity vs SAE L0", source: "Sparse but Wrong, main toy", finding: "Mean pairwise decoder cosine is lowest near the true L0." },
  { figure: 7, title: "Correlation matrices of the small toy (ρ = ±0.4)", source: "Sparse but Wrong, small toy", finding: "ρ between feature 0 and every other feature, 0 elsewhere." },
  { figure: 8, title: "Small-toy decoder heatmaps (k = 2, k = 1.8, ρ sweep)", source: "Sparse but Wrong, small toy", finding: "At k = 2 the features are recovered; at k = 1.8 from the ground truth, latents 1–4 take a feature-0 component with the sign of ρ." },
  { figure: 9, title: "Feature mixing vs correlation", source: "Sparse but Wrong, small toy", finding: "Feature mixing grows with ρ (its sign follows ρ)." },
  { figure: 10, title: "Feature mixing vs L0 (positive / negative correlation)", source: "Sparse but Wrong, small toy", finding: "Mixing shrinks as k approaches the true L0 of 2." },
  { figure: 11, title: "Feature cosine similarities (superposition) and adjusted heatmaps", source: "Sparse but Wrong, small toy", finding: "With features in superposition the same mixing shows after subtracting the features' own cosines." },
  { figure: 12, title: "JumpReLU: s_n^dec vs measured L0, and L0 vs L0 coefficient", source: "Sparse but Wrong, JumpReLU appendix", finding: "L0 falls as the coefficient grows (non-monotone, seed-sensitive); s_n^dec is lowest near the true L0." },
  { figure: 13, title: "Idealized decoder projection histogram", source: "Sparse but Wrong, intuition plot", finding: "A disentangled SAE separates the firing mode from the noise; mixing correlated features widens both." },
  { figure: 14, title: "LLM SAE L0 histograms and the Gemma demo", source: "Sparse but Wrong (LLM only)", finding: "Open-source LLM SAEs; needs LLM weights, which cannot be fetched here." },
  { figure: 15, title: "Independent features (single latent)", source: "Feature hedging, single-latent notebook", finding: "The single latent learns feature 0 and b_dec points along feature 1 with norm ≈ its firing probability (0.2)." },
  { figure: 16, title: "Hierarchical features (single latent)", source: "Feature hedging, single-latent notebook", finding: "The parent's latent takes a positive child component (hedging)." },
  { figure: 17, title: "Feature hedging (noise 0)", source: "Feature hedging, single-latent notebook", finding: "Started exactly at the parent, the latent still moves toward the child." },
  { figure: 18, title: "Feature absorption (2 latents)", source: "Feature hedging, single-latent notebook", finding: "With a latent for each, the parent's latent takes a negative child component (absorption)." },
  { figure: 19, title: "Correlated features: low / high L1, full width", source: "Feature hedging, single-latent notebook", finding: "Partial co-occurrence makes the narrow SAE hedge; a full-width SAE separates the features." },
  { figure: 20, title: "Anti-correlated features (standard and full width)", source: "Feature hedging, single-latent notebook", finding: "Anti-correlated features give the parent's latent a negative child component." },
  { figure: 21, title: "Loss curves for the single-latent SAE", source: "Feature hedging, loss_curves.py", finding: "The expected loss is minimised at α ≈ 0.232 (skew parent, λ = 0) and ≈ 0.459 (skew child), never at α = 0." },
  { figure: 22, title: "Balancing hedging and absorption in Matryoshka SAEs", source: "Feature hedging, balancing notebook", finding: "The standard SAE absorbs, the detached Matryoshka SAE hedges, β = 0.25 balances both on the balanced tree but no β does on the unbalanced one." },
  { figure: 23, title: "lr × λ arrow grid per 2-d data condition", source: "Composed-feature toys, plot_grid", finding: "SAEs find composed features rather than the true features, regardless of learning rate or L1 coefficient, also with 75 % one-hot data." },
  { figure: 24, title: "Schematic: true features and 5 realisations", source: "Composed-feature toys, plot_schematic", finding: "The realisations of one cell learn composed directions (x + y) in loss order." },
  { figure: 25, title: "TMS training plots", source: "Composed-feature toys, TMSPlotter", finding: "The ReLU-output toy model trains and places the four features in its 2-d hidden plane." },
  { figure: 26, title: "Composed toys in more dimensions (plot_sae_imshows)", source: "Composed-feature toys, experiment_more_hid_dim", finding: "In more hidden dimensions the SAEs still mix the two feature sets: latents respond to composed pairs, and boosting one pair's co-occurrence makes its composed latent stronger." },
  { figure: 27, title: "Features in 2-d across feature probability", source: "ARENA 1.3.1 §1", finding: "Two orthogonal features at p = 1; a pentagon (all 5 features) at the sparsest probability." },
  { figure: 28, title: "WᵀW and feature norms coloured by superposition", source: "ARENA 1.3.1 §1", finding: "Sparser features are stored in superposition; important features get their own dimensions first." },
  { figure: 29, title: "Correlated and anticorrelated pairs in 2-d", source: "ARENA 1.3.1 §1", finding: "Correlated features prefer orthogonal directions, anticorrelated features antipodal ones; more correlated pairs than dimensions collapse." },
  { figure: 30, title: "Privileged basis: features per neuron", source: "ARENA 1.3.1 §1", finding: "With a ReLU on the hidden layer, neurons become monosemantic for dense features and polysemantic for sparse ones." },
  { figure: 31, title: "Dimensions per feature against 1/p", source: "ARENA 1.3.1 §1", finding: "Dimensions per feature fall toward the guide fractions (1/2, 2/5, …) as features get sparser." },
  { figure: 32, title: "Double descent", source: "ARENA 1.3.1 §1 (optional)", finding: "Feature and data-point dimensionality trade places as the dataset grows." },
  { figure: 33, title: "Toy SAE in the TMS hidden plane, with resampling", source: "ARENA 1.3.1 §2", finding: "Without resampling latents die; advanced resampling revives them and the SAE recovers all 5 directions." },
  { figure: 34, title: "Gated and JumpReLU toy SAEs", source: "ARENA 1.3.1 §2", finding: "Gated and JumpReLU SAEs also recover the 5 directions of the TMS hidden plane." },
  { figure: 35, title: "LM: feature-density histogram", source: "ARENA 1.3.1 §3", finding: "Latent densities are bimodal with an ultra-low-density cluster." },
  { figure: 36, title: "LM: substitution score, top activations, logit effect, neuron basis", source: "ARENA 1.3.1 §3", finding: "A good SAE recovers most of the LM loss; its latents are interpretable token patterns spread over many neurons." },
];

export function catalogueEntry(figure: number): CatalogueFigure {
  const entry = CATALOGUE.find((f) => f.figure === figure);
  if (!entry) throw new Error(`figure ${figure} is not in the catalogue (1–${CATALOGUE.length})`);
  return entry;
}
