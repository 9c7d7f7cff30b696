/**
 * Experiment kinds: `kind` value → the folder's declaration, loaded on demand. One line per kind
 * and nothing else in this file: the Nx plugin reads these lines too (to find each experiment's
 * kind folder), so adding a kind never invalidates another experiment's cached stages.
 */
import type { KindDeclaration } from "../framework/kind.ts";

export const KINDS = {
  "composed-grid": () => import("./composed/kind.ts"),
  "sparse-but-wrong": () => import("./sparse-but-wrong/kind.ts"),
  "feature-hedging": () => import("./feature-hedging/kind.ts"),
  "tms-sae": () => import("./tms-sae/kind.ts"),
  "tms-superposition": () => import("./tms-superposition/kind.ts"),
} satisfies Record<string, () => Promise<{ kind: KindDeclaration<never> }>>;
