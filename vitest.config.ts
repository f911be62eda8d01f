import vue from '@vitejs/plugin-vue';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * One run, three projects: unit (fast, in-process), integration (real processes, sockets
 * and files) and e2e (the built renderer in Debian's Chromium against `earshot serve`).
 * The summary reporter prints the closing "N passed, N failed" line.
 */
export default defineConfig({
  plugins: [vue()],
  test: {
    // Hosts open the history at start-up: keep tests that do not choose one out of the user's.
    env: { EARSHOT_HISTORY_DB: join(tmpdir(), `earshot-tests-${process.pid}`, 'history.sqlite') },
    // ONNX Runtime's telemetry off in every test process, and in every process a test starts.
    setupFiles: ['tests/support/onnx-runtime-setup.ts'],
    reporters: ['default', './tests/support/summary-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // One browser at a time keeps a 2-core CI machine responsive.
          fileParallelism: false,
        },
      },
    ],
  },
});
