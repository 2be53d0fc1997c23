import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/setup/data.ts'],
    include: ['test/**/*.test.ts', 'notebooks/lib/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 600_000,
    // Docker and kernel tests share one engine and two cores: run files one at a time.
    fileParallelism: false,
  },
});
