import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts"],
    // Pipeline tests spawn Nx and train small grids; give them room on a 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: "forks",
  },
});
