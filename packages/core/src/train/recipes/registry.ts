/**
 * Recipe registry: name → the module that declares it, loaded on demand. One line per recipe
 * and nothing else in this file (the Nx plugin reads these lines to hash only the recipes an
 * experiment names).
 */
import type { Recipe } from "./recipe.ts";

export const RECIPES = {
  "composed-2024": () => import("./composed-2024.ts"),
  "saelens-6.11": () => import("./saelens-6.11.ts"),
  "saelens-5.10": () => import("./saelens-5.10.ts"),
  arena: () => import("./arena.ts"),
} satisfies Record<string, () => Promise<{ recipe: Recipe }>>;
