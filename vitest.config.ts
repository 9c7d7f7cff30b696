import { defineConfig } from "vitest/config";

// Two projects: fast unit tests, and the pipeline tests, which share one temporary workspace in
// which every experiment has run on the smoke profile (test/smoke-workspace.ts runs it once, only
// when pipeline tests are selected).
export default defineConfig({
  test: {
    // Pipeline tests spawn Nx and train small grids; give them room on a 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 600_000,
    pool: "forks",
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["packages/*/test/**/*.test.ts"],
          exclude: ["packages/pipelines/test/pipelines/**"],
        },
      },
      {
        extends: true,
        test: {
          name: "pipelines",
          include: ["packages/pipelines/test/pipelines/**/*.test.ts"],
          globalSetup: ["packages/pipelines/test/smoke-workspace.ts"],
        },
      },
    ],
  },
});
