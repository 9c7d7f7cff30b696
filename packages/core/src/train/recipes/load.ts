/** Looking recipes up by name, and turning a recipe plus a config's overrides into trainer settings. */
import type { GradientEngine, TrainerSettings } from "../trainer.ts";
import type { Recipe } from "./recipe.ts";
import { RECIPES } from "./registry.ts";

export function recipeNames(): string[] {
  return Object.keys(RECIPES);
}

export function isRecipeName(name: string): name is keyof typeof RECIPES {
  return Object.hasOwn(RECIPES, name);
}

export function unknownRecipe(path: string, name: unknown): string {
  return `${path}: got ${JSON.stringify(name)}, expected one of the registered recipes (${recipeNames().join(", ")})`;
}

export async function loadRecipe(name: string): Promise<Recipe> {
  if (!isRecipeName(name)) throw new Error(unknownRecipe("recipe", name));
  return (await RECIPES[name]()).recipe;
}

/** The recipe's settings with a config's overrides on top (undefined fields keep the recipe's). */
export function trainerSettings(recipe: Recipe, engine: GradientEngine, overrides: Partial<TrainerSettings> = {}): TrainerSettings {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Partial<TrainerSettings>;
  return { ...recipe.settings, engine, ...defined };
}
