import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The fake AWS patches client prototypes: each file gets its own module graph.
    isolate: true,
    // Whether the end-to-end suite against ../shared/aws-emulator can run (it is skipped, saying so, when not).
    globalSetup: ['test/e2e-aws/global-setup.ts'],
    testTimeout: 20_000,
    // As the CLI's entry point does: the SDK's multi-line Node 20 warning is replaced by one line of ours.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
