/**
 * A dataset config made concrete: its feature sampler (the hedging paper's `get_training_batch`
 * with modifiers, §2.1, or its `TreeFeatureGenerator`, §2.2), its parent → child edges (what the
 * child-component and absorption metrics look at) and, for trees, the exact firing marginals.
 * Plain config in, so a worker thread can rebuild the same sampler.
 */
import type { Rng } from "@toy-sae/core/random";
import type { HierarchyEdge } from "@toy-sae/core/metrics/hedging";
import {
  absorption,
  chainModifiers,
  childOnlyWithParent,
  hedgingFeatureSampler,
  partialCooccurrence,
  suppressFeatures,
  type FiringModifier,
} from "@toy-sae/generators/parent-child";
import { treeFeatureSampler } from "@toy-sae/generators/tree";
import type { DatasetConfig } from "./config.ts";

export interface DatasetSampler {
  nFeatures: number;
  isTree: boolean;
  /** Exact P(feature fires) for tree datasets; NaN per feature otherwise. */
  marginals: Float64Array;
  edges: HierarchyEdge[];
  sampleInto(rng: Rng, batch: number, out: Float32Array): Float32Array;
}

function modifierOf(m: NonNullable<DatasetConfig["modifiers"]>[number]): FiringModifier {
  switch (m.kind) {
    case "child-only-with-parent":
      return childOnlyWithParent(m.parent, m.child);
    case "partial-cooccurrence":
      return partialCooccurrence(m.parent, m.child, m.soloProbability);
    case "suppress":
      return suppressFeatures(m.dominant, m.suppressed);
    case "absorption":
      return absorption(m.pairs.map(([parent, child]) => [parent, child] as const));
  }
}

/** Parent → child pairs a modifier states (suppression states none). */
function modifierEdges(m: NonNullable<DatasetConfig["modifiers"]>[number]): HierarchyEdge[] {
  switch (m.kind) {
    case "child-only-with-parent":
    case "partial-cooccurrence":
      return [{ parent: m.parent, child: m.child }];
    case "absorption":
      return m.pairs.map(([parent, child]) => ({ parent, child }));
    case "suppress":
      return [];
  }
}

export function datasetSampler(d: DatasetConfig): DatasetSampler {
  if (d.tree !== undefined) {
    const s = treeFeatureSampler(d.tree);
    return {
      nFeatures: s.nFeatures,
      isTree: true,
      marginals: Float64Array.from(s.marginals),
      edges: s.edges.map((e) => ({ ...e })),
      sampleInto: (rng, batch, out) => s.sampleInto(rng, batch, out),
    };
  }
  const modifiers = (d.modifiers ?? []).map(modifierOf);
  const s = hedgingFeatureSampler({
    firingProbabilities: d.firingProbabilities ?? [],
    magnitudeMean: d.magnitudeMean ?? 1,
    magnitudeStd: d.magnitudeStd ?? 0,
    modifier: modifiers.length ? chainModifiers(modifiers) : null,
  });
  const edges = (d.modifiers ?? []).flatMap(modifierEdges);
  const unique = edges.filter((e, k) => edges.findIndex((f) => f.parent === e.parent && f.child === e.child) === k);
  return {
    nFeatures: s.nFeatures,
    isTree: false,
    marginals: new Float64Array(s.nFeatures).fill(NaN),
    edges: unique,
    sampleInto: (rng, batch, out) => s.sampleInto(rng, batch, out),
  };
}
