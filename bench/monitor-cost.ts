// What an open Monitor costs the window: the renderer's main-thread busy time (Chromium's own
// `Performance.getMetrics` TaskDuration, over CDP) per second of wall time, with the Monitor open
// and with the About view open, 30 s each, in the same browser against the same `earshot serve`.
// Raster runs on other threads and is not counted; script, style, layout and paint recording are.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ensureRendererBuild } from '../src/main/host/serve/renderer-build';
import { launchChromium, openPage } from '../tests/support/browser';
import { startServe } from '../tests/support/cli-process';
import { SHARED_AUDIO } from '../tests/support/shared-audio';

const SECONDS = 30;
const TARGET_PERCENT = 2;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function busyPercent(page: Page, view: string): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const taskSeconds = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'TaskDuration')?.value ?? NaN;
  };
  await page.getByRole('link', { name: view }).click();
  await sleep(3000); // the view's first load and draw are not what stays open
  const [busy0, t0] = [await taskSeconds(), performance.now()];
  await sleep(SECONDS * 1000);
  const [busy1, t1] = [await taskSeconds(), performance.now()];
  await cdp.detach();
  return (100 * (busy1 - busy0)) / ((t1 - t0) / 1000);
}

export const monitorCostBench = {
  name: `Monitor view: what it costs the window (renderer busy % of one core, ${SECONDS} s), against the About view`,
  async run(): Promise<string[]> {
    ensureRendererBuild((line) => process.stderr.write(line + '\n'));
    const dir = mkdtempSync(join(tmpdir(), 'earshot-bench-monitor-'));
    const serve = await startServe(['--no-build', '--config-dir', dir, '--input-wav', SHARED_AUDIO.jfk], {
      EARSHOT_HISTORY_DB: join(dir, 'history.sqlite'),
    });
    const browser = await launchChromium();
    try {
      const { page } = await openPage(browser, serve.url);
      const about = await busyPercent(page, 'About');
      const monitor = await busyPercent(page, 'Monitor');
      return [
        `  About view open   ${about.toFixed(2)} % of a core`,
        `  Monitor open      ${monitor.toFixed(2)} % of a core (samples every 1 s, 5-minute range)`,
        `  Monitor's own cost ${(monitor - about).toFixed(2)} points   target < ${TARGET_PERCENT} %: ${monitor < TARGET_PERCENT ? 'met' : 'MISSED'}`,
      ];
    } finally {
      await browser.close();
      await serve.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
