/** Shared by the config tests: an experiment's file, and the problems a config stage would report. */
import { join } from "node:path";
import { expect } from "vitest";
import { ConfigError } from "../src/framework/experiment-config.ts";
import { REPO } from "./workspace.ts";

export const experimentFile = (name: string): string => join(REPO, "packages/pipelines/experiments", `${name}.json`);

/** The problem lines of the ConfigError `resolve` throws; none when it resolves. Any other error fails the test. */
export function configProblems(resolve: () => unknown): string[] {
  try {
    resolve();
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
}
