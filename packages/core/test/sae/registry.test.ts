/** The architecture registry: every entry loads and is well formed; unknown names and bad options are clear errors. */
import { describe, expect, it } from "vitest";
import { Rng } from "../../src/random.ts";
import { architectureNames, loadArchitecture, resolveArchitectureOptions } from "../../src/sae/load.ts";
import { STANDARD_PARAMS, paramTensor, specSize } from "../../src/sae/types.ts";
import { loadRecipe, recipeNames } from "../../src/train/recipes/load.ts";

describe("architecture registry", () => {
  it("lists the architectures and each declares itself consistently", async () => {
    expect(architectureNames()).toEqual(expect.arrayContaining(["relu-l1", "batchtopk", "jumprelu", "topk"]));
    for (const name of architectureNames()) {
      const arch = await loadArchitecture(name);
      expect(arch.name).toBe(name);
      expect(arch.hyper.length).toBeGreaterThan(0);
      // the four standard tensors come first, in the optimiser's order
      expect(arch.params.slice(0, 4).map((s) => s.name)).toEqual(STANDARD_PARAMS.map((s) => s.name));
      const { options, problems } = resolveArchitectureOptions(arch, undefined, "options");
      expect(problems).toEqual([]);
      const shape = { instances: 2, dIn: 3, dSae: 4 };
      const p = arch.init(shape, options, [new Rng(1), new Rng(2)]);
      for (const spec of arch.params) expect(paramTensor(p, spec.name).length, `${name}.${spec.name}`).toBe(2 * specSize(spec, shape));
    }
  });

  it("rejects an unknown architecture, listing the known ones", async () => {
    await expect(loadArchitecture("gatedd")).rejects.toThrow(/got "gatedd", expected one of the registered architectures \(relu-l1, batchtopk, jumprelu, topk/);
  });

  it("fills option defaults and reports bad or unknown options with their path", async () => {
    const arch = await loadArchitecture("jumprelu");
    expect(resolveArchitectureOptions(arch, { bandwidth: 0.5 }, "sae.options").options).toMatchObject({ bandwidth: 0.5, tanhScale: 4, initThreshold: 0.1 });
    expect(resolveArchitectureOptions(arch, { bandwidth: -1, width: 3 }, "sae.options").problems).toEqual([
      "sae.options.width: unknown field; expected one of bandwidth, tanhScale, initThreshold, decoderInitNorm",
      "sae.options.bandwidth: got -1, expected a finite number > 0",
    ]);
  });
});

describe("recipe registry", () => {
  it("loads every recipe; unknown names list the known ones", async () => {
    for (const name of recipeNames()) expect((await loadRecipe(name)).name).toBe(name);
    await expect(loadRecipe("saelens-9")).rejects.toThrow(/expected one of the registered recipes \(composed-2024, saelens-6.11/);
  });
});
