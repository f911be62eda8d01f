import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';

/**
 * Four bundles: the Electron main process, the inference worker (a second main-side entry,
 * started as a utility process, with its ASR thread as a third), the preload and the renderer.
 */
export default defineConfig({
  main: {
    build: {
      rolldownOptions: {
        input: {
          index: resolve('src/main/index.ts'),
          worker: resolve('src/main/worker/index.ts'),
          'asr-thread': resolve('src/main/worker/asr/asr-thread.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload cannot `require` packages: bundle everything into one CommonJS file.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    base: './',
    plugins: [vue()],
    build: {
      rolldownOptions: { input: resolve('src/renderer/index.html') },
    },
  },
});
