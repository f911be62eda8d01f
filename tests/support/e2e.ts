import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { ensureRendererBuild } from '../../src/main/host/serve/renderer-build';
import { launchChromium, openPage } from './browser';
import { startServe, type RunningServe } from './cli-process';

/**
 * One Chromium for a test file and the `earshot serve` hosts its tests start, stopped after
 * each test. The interface is built first if its sources changed.
 */
export function useBrowserAndServe() {
  let browser: Browser | undefined;
  const running: RunningServe[] = [];
  beforeAll(async () => {
    ensureRendererBuild((line) => process.stderr.write(line + '\n'));
    browser = await launchChromium();
  });
  afterAll(async () => browser?.close());
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
  });
  const chromium = (): Browser => {
    if (!browser) throw new Error('the browser starts in beforeAll');
    return browser;
  };
  return {
    browser: chromium,
    /** `earshot serve --no-build` with extra arguments and environment; stopped after the test (stopping twice is harmless). */
    async serve(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunningServe> {
      const host = await startServe(['--no-build', ...args], env);
      running.push(host);
      return host;
    },
    /**
     * Opens the app on the Live view; `firstRun` opens its default address, where a fresh
     * install shows the first-run setup.
     */
    open: (url: string, { firstRun = false } = {}) => openPage(chromium(), firstRun ? url : liveViewOf(url)),
  };
}

/** The app's address on the Live view: a link to a view skips the first-run setup. */
export function liveViewOf(url: string): string {
  return new URL(url).hash ? url : `${url}#/live`;
}
