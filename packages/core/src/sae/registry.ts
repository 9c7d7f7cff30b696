/**
 * Architecture registry: name → the module that declares it, loaded on demand. One line per
 * architecture and nothing else in this file: the Nx plugin reads these lines to hash only the
 * folders an experiment uses, so adding an architecture never invalidates cached results.
 */
import type { AnyArchitecture } from "./architecture.ts";

export const ARCHITECTURES = {
  "relu-l1": () => import("./relu-l1/index.ts"),
  batchtopk: () => import("./batchtopk/index.ts"),
  jumprelu: () => import("./jumprelu/index.ts"),
  topk: () => import("./topk/index.ts"),
  standard: () => import("./standard/index.ts"),
  matryoshka: () => import("./matryoshka/index.ts"),
  "matryoshka-batchtopk": () => import("./matryoshka-batchtopk/index.ts"),
  "arena-relu": () => import("./arena-relu/index.ts"),
  gated: () => import("./gated/index.ts"),
  "arena-jumprelu": () => import("./arena-jumprelu/index.ts"),
} satisfies Record<string, () => Promise<{ architecture: AnyArchitecture }>>;

export type ArchitectureName = keyof typeof ARCHITECTURES;
