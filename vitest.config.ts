import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    environment: "node",
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Tests open real sockets on loopback; a worker per core keeps port and CPU contention low on 2-core CI.
    pool: "forks",
  },
});
