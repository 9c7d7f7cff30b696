/** The composed kind's view of saes.arrow: each SAE's grid cell and realisation, and its parameters. */
import type { JsonValue } from "@toy-sae/core/artifact/provenance";
import type { StageContext } from "../../framework/context.ts";
import { readSaes, type KeyType, type SaeSet } from "../../framework/saes-io.ts";

/** The key columns train-saes writes for this kind (train-saes.ts `key`). */
export const KEY_TYPES: Record<string, KeyType> = { condition: "string", lr: "float", l1: "float", lr_index: "int", l1_index: "int", instance: "int", grid_index: "int" };

export interface ComposedSae {
  sae: number;
  condition: string;
  lr: number;
  l1: number;
  lrIndex: number;
  l1Index: number;
  /** The realisation (0 … realisations − 1). */
  instance: number;
  diverged: boolean;
  options: Record<string, JsonValue>;
  hyper: Record<string, number>;
}

export async function readSaeSet(ctx: StageContext<unknown>): Promise<{ set: SaeSet; records: ComposedSae[] }> {
  const set = readSaes(await ctx.read("train-saes", "saes.arrow"), KEY_TYPES);
  const records = set.records.map((r) => ({
    sae: r.index,
    condition: r.key.condition as string,
    lr: r.key.lr as number,
    l1: r.key.l1 as number,
    lrIndex: r.key.lr_index as number,
    l1Index: r.key.l1_index as number,
    instance: r.key.instance as number,
    diverged: r.diverged,
    options: r.options,
    hyper: r.hyper,
  }));
  return { set, records };
}
