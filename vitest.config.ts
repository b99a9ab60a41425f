import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The fake AWS patches client prototypes: each file gets its own module graph.
    isolate: true,
    testTimeout: 20_000,
  },
});
