/**
 * Hierarchical (tree) features: `TreeFeatureGenerator` of the feature-hedging paper
 * (chanind/feature-hedging-paper `toy_models/tree_feature_generator.py`, after Noa
 * Nabeshima's Matryoshka toy; reference §2.2).
 *
 * A node is active with probability `active_prob` *given that its parent is active*:
 *   1. is_active ~ Bernoulli(active_prob);
 *   2. overrides, in this order: forced active → 1, forced inactive → 0, parent inactive → 0
 *      (the last one wins, so a forced child of an inactive parent stays off);
 *   3. a read-out node writes its magnitude where active: |N(mean, std)| when std > 0 (the
 *      absolute value, not a ReLU), exactly `mean` when std = 0;
 *   4. mutually exclusive children: one child per sample is drawn by a multinomial over the
 *      children's active_probs (normalised weights); it is forced active and its siblings
 *      forced inactive, so exactly one child fires whenever the parent fires;
 *   5. recurse with the node's activity as the children's parent mask, also when the node
 *      itself is not read out (a non-read-out node still gates its subtree).
 * Read-out nodes get feature indices in pre-order DFS; nFeatures = #read-out nodes.
 *
 * The tree is given in the original's JSON field names (its `tree.schema.json`) and
 * validated with errors that name the path in the tree, the field, the value and what was
 * expected.
 *
 * Randomness: the original draws every node's Bernoulli, every multinomial and every
 * magnitude for the whole batch; we draw them only where they can matter (a node of an
 * inactive parent, the magnitude of an inactive feature). The distribution is the same.
 */
import type { Rng } from "@toy-sae/core/random";
import type { FeatureSampler } from "@toy-sae/core/sampler";

/** A tree node as in the original's JSON (`tree.schema.json`): only `active_prob` is required. */
export interface TreeNodeJson {
  /** Probability that the node is active given that its parent is active, in [0, 1]. */
  active_prob: number;
  children?: TreeNodeJson[];
  /** Exactly one child fires whenever this node fires (needs ≥ 2 children). Default false. */
  mutually_exclusive_children?: boolean;
  /** Whether the node is a feature of the output. Default true. */
  is_read_out?: boolean;
  /** A name for the node (not used by the sampler). */
  id?: string;
  /** Magnitude when active. Default 1. */
  magnitude_mean?: number;
  /** Standard deviation of the magnitude (≥ 0); > 0 draws |N(mean, std)|. Default 0. */
  magnitude_std?: number;
}

const NODE_FIELDS = new Set(["active_prob", "children", "mutually_exclusive_children", "is_read_out", "id", "magnitude_mean", "magnitude_std"]);

/** One node after validation, with its place in the tree. */
export interface TreeNodeInfo {
  /** Path from the root, e.g. "children[1].children[0]" ("" for the root). */
  path: string;
  id: string | null;
  /** Index of the parent node in `nodes` (−1 for the root). */
  parent: number;
  activeProb: number;
  isReadOut: boolean;
  /** Feature index (pre-order among read-out nodes), or −1 when not read out. */
  feature: number;
  mutuallyExclusiveChildren: boolean;
  magnitudeMean: number;
  magnitudeStd: number;
  /** Indices of the children in `nodes`, in order. */
  children: number[];
  /** Exact P(node active), unconditional. */
  marginal: number;
}

/** A parent → child relation between read-out features (nearest read-out ancestor). */
export interface FeatureEdge {
  parent: number;
  child: number;
}

export interface TreeFeatureSampler extends FeatureSampler {
  /** Every node in pre-order (the root first). */
  readonly nodes: readonly TreeNodeInfo[];
  /** Exact P(feature i fires) for every read-out feature, from the tree alone. */
  readonly marginals: Float64Array;
  /** For every read-out feature, its nearest read-out ancestor → it (absent for top-level features). */
  readonly edges: readonly FeatureEdge[];
  /** Like `sample`, but writes into `out` (length ≥ batch·nFeatures, overwritten) and returns it. */
  sampleInto(rng: Rng, batch: number, out: Float32Array): Float32Array;
}

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  return String(value);
}

function fieldPath(path: string, field: string): string {
  return path === "" ? field : `${path}.${field}`;
}

function fail(path: string, field: string, value: unknown, expected: string): never {
  throw new Error(`tree: ${fieldPath(path, field)} is ${show(value)}; expected ${expected}`);
}

/**
 * Validates one node (not its children) and returns its fields with defaults filled in.
 * Numbers must be finite; the original's schema also requires magnitude_std ≥ 0 and
 * active_prob in [0, 1], and its constructor asserts ≥ 2 children for ME.
 */
function readNode(raw: unknown, path: string): Omit<TreeNodeInfo, "parent" | "feature" | "children" | "marginal"> & { rawChildren: unknown[] } {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new Error(`tree: ${path === "" ? "the root" : path} is ${show(raw)}; expected an object (a tree node)`);
  }
  const node = raw as Record<string, unknown>;
  for (const key of Object.keys(node)) {
    if (!NODE_FIELDS.has(key)) {
      throw new Error(`tree: ${fieldPath(path, key)} is not a known field; expected only ${[...NODE_FIELDS].join(", ")}`);
    }
  }
  const p = node.active_prob;
  if (p === undefined) fail(path, "active_prob", p, "a number in [0, 1] (it is required)");
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) fail(path, "active_prob", p, "a number in [0, 1]");
  const mean = node.magnitude_mean ?? 1;
  if (typeof mean !== "number" || !Number.isFinite(mean)) fail(path, "magnitude_mean", mean, "a finite number");
  const std = node.magnitude_std ?? 0;
  if (typeof std !== "number" || !(std >= 0 && Number.isFinite(std))) fail(path, "magnitude_std", std, "a finite number ≥ 0");
  const id = node.id ?? null;
  if (id !== null && typeof id !== "string") fail(path, "id", id, "a string");
  const readOut = node.is_read_out ?? true;
  if (typeof readOut !== "boolean") fail(path, "is_read_out", readOut, "true or false");
  const me = node.mutually_exclusive_children ?? false;
  if (typeof me !== "boolean") fail(path, "mutually_exclusive_children", me, "true or false");
  const children = node.children ?? [];
  if (!Array.isArray(children)) fail(path, "children", children, "an array of tree nodes");
  if (me && children.length < 2) {
    throw new Error(
      `tree: ${fieldPath(path, "mutually_exclusive_children")} is true with ${children.length} child${children.length === 1 ? "" : "ren"}; expected at least 2 children`,
    );
  }
  return {
    path,
    id,
    activeProb: p,
    isReadOut: readOut,
    mutuallyExclusiveChildren: me,
    magnitudeMean: mean,
    magnitudeStd: std,
    rawChildren: children,
  };
}

/** Validates the whole tree and flattens it in pre-order, with feature indices and exact marginals. */
export function parseTree(tree: unknown): TreeNodeInfo[] {
  const nodes: TreeNodeInfo[] = [];
  let nextFeature = 0;
  type ReadNode = ReturnType<typeof readNode>;
  const visit = (read: ReadNode, parent: number, conditional: number): void => {
    const { rawChildren, ...fields } = read;
    const index = nodes.length;
    const parentMarginal = parent < 0 ? 1 : nodes[parent].marginal;
    nodes.push({
      ...fields,
      parent,
      feature: fields.isReadOut ? nextFeature++ : -1,
      children: [],
      marginal: parentMarginal * conditional,
    });
    if (parent >= 0) nodes[parent].children.push(index);
    const kids = rawChildren.map((child, c) => readNode(child, `${fieldPath(fields.path, "children")}[${c}]`));
    // P(child active | this node active): its active_prob, or under mutual exclusion its
    // share of the multinomial weights (torch.multinomial normalises them)
    let weightSum = 0;
    if (fields.mutuallyExclusiveChildren) {
      for (const kid of kids) weightSum += kid.activeProb;
      if (!(weightSum > 0)) {
        throw new Error(
          `tree: ${fieldPath(fields.path, "children")} have active_prob summing to 0 under mutually_exclusive_children; expected a positive sum (the weights of the one child drawn)`,
        );
      }
    }
    for (const kid of kids) visit(kid, index, fields.mutuallyExclusiveChildren ? kid.activeProb / weightSum : kid.activeProb);
  };
  const root = readNode(tree, "");
  visit(root, -1, root.activeProb);
  return nodes;
}

class TreeSampler implements TreeFeatureSampler {
  readonly nodes: readonly TreeNodeInfo[];
  readonly nFeatures: number;
  readonly marginals: Float64Array;
  readonly edges: readonly FeatureEdge[];
  /** Per node: its children's cumulative weights when they are mutually exclusive, else null. */
  private readonly childCumulative: (Float64Array | null)[];
  private readonly active: Uint8Array;
  /** Per node: the child index (into `nodes`) chosen by its multinomial for the current sample. */
  private readonly chosen: Int32Array;

  constructor(tree: unknown) {
    this.nodes = parseTree(tree);
    const readOut = this.nodes.filter((n) => n.isReadOut);
    this.nFeatures = readOut.length;
    this.marginals = Float64Array.from(readOut, (n) => n.marginal);
    const edges: FeatureEdge[] = [];
    for (const n of readOut) {
      let a = n.parent;
      while (a >= 0 && !this.nodes[a].isReadOut) a = this.nodes[a].parent;
      if (a >= 0) edges.push({ parent: this.nodes[a].feature, child: n.feature });
    }
    this.edges = edges;
    this.childCumulative = this.nodes.map((n) => {
      if (!n.mutuallyExclusiveChildren) return null;
      const cum = new Float64Array(n.children.length);
      let s = 0;
      for (const [k, c] of n.children.entries()) cum[k] = s += this.nodes[c].activeProb;
      return cum;
    });
    this.active = new Uint8Array(this.nodes.length);
    this.chosen = new Int32Array(this.nodes.length).fill(-1);
  }

  sample(rng: Rng, batch: number): Float32Array {
    return this.sampleInto(rng, batch, new Float32Array(batch * this.nFeatures));
  }

  sampleInto(rng: Rng, batch: number, out: Float32Array): Float32Array {
    const n = this.nFeatures;
    if (!Number.isInteger(batch) || batch < 0) throw new Error(`sample: batch must be a non-negative integer, got ${batch}`);
    if (out.length < batch * n) throw new Error(`sampleInto: out has ${out.length} entries, needs ${batch * n}`);
    out.fill(0, 0, batch * n);
    const { nodes, active, chosen } = this;
    for (let b = 0; b < batch; b++) {
      const row = b * n;
      // pre-order: a parent is always decided before its children
      for (let v = 0; v < nodes.length; v++) {
        const node = nodes[v];
        const parent = node.parent;
        let on: boolean;
        if (parent >= 0 && !active[parent])
          on = false; // parent inactive: off, whatever was forced
        else if (parent >= 0 && nodes[parent].mutuallyExclusiveChildren) on = chosen[parent] === v;
        else on = rng.uniform() < node.activeProb;
        active[v] = on ? 1 : 0;
        if (!on) continue;
        if (node.isReadOut) out[row + node.feature] = this.magnitude(rng, node);
        const cum = this.childCumulative[v];
        if (cum !== null) chosen[v] = node.children[rng.categorical(cum)];
      }
    }
    return out;
  }

  /** |N(mean, std)| when std > 0, else exactly mean. */
  private magnitude(rng: Rng, node: TreeNodeInfo): number {
    if (node.magnitudeStd > 0) return Math.abs(node.magnitudeMean + node.magnitudeStd * rng.normal());
    return node.magnitudeMean;
  }
}

/** A sampler of the features of `tree` (original JSON field names; validated). */
export function treeFeatureSampler(tree: unknown): TreeFeatureSampler {
  return new TreeSampler(tree);
}

/** A read-out leaf with the given conditional probability. */
function leaf(p: number): TreeNodeJson {
  return { active_prob: p };
}

/**
 * The balancing notebook's tree (`balancing_hedging_and_absorption.ipynb`): a root with
 * p = 1 that is not read out, one parent (feature 0, p = .25) whose children are NOT
 * mutually exclusive: features 1–3 at p = .15 each, and a fourth child with p = .55 that
 * is neither read out nor has children (so without mutual exclusion it changes nothing).
 */
export const BALANCED_HEDGING_TREE: TreeNodeJson = {
  active_prob: 1,
  is_read_out: false,
  children: [
    {
      active_prob: 0.25,
      mutually_exclusive_children: false,
      children: [leaf(0.15), leaf(0.15), leaf(0.15), { active_prob: 0.55, is_read_out: false }],
    },
  ],
};

/** The notebook's "unbalanced" variant: the same layout with child probabilities .02, .15, .5. */
export const UNBALANCED_HEDGING_TREE: TreeNodeJson = {
  active_prob: 1,
  is_read_out: false,
  children: [
    {
      active_prob: 0.25,
      mutually_exclusive_children: false,
      children: [leaf(0.02), leaf(0.15), leaf(0.5), { active_prob: 0.55, is_read_out: false }],
    },
  ],
};
