/**
 * Global setup of the pipeline tests: one temporary copy of the workspace in which
 * `nx run pipelines:reproduce:smoke` has run every experiment on the smoke profile and built the
 * reproduction index. Test files read its artifacts (`inject("smokeRoot")`) and must not change
 * it; tests that edit configs or sources make their own workspace (caching.test.ts).
 */
import type { TestProject } from "vitest/node";
import { tempWorkspace } from "./workspace.ts";

declare module "vitest" {
  export interface ProvidedContext {
    smokeRoot: string;
    smokeStatus: number;
    smokeOutput: string;
  }
}

export default function setup(project: TestProject): () => void {
  const ws = tempWorkspace();
  const r = ws.nx(["run", "pipelines:reproduce:smoke"]);
  project.provide("smokeRoot", ws.root);
  project.provide("smokeStatus", r.status);
  // the tail is enough to see which stage failed and why
  project.provide("smokeOutput", r.output.slice(-200_000));
  return () => ws.dispose();
}
