import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    // Real validators (nginx, promtool, etcd, ignition-validate) start processes; give them room.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
