// The Monitor in Chromium against `earshot serve`: it opens full (main keeps the samples), its charts draw and move as samples arrive without being re-created, pausing freezes them, and the tables show the processes and every latency stage.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { LATENCY_STAGES } from '../../src/shared/metrics';
import { useBrowserAndServe } from '../support/e2e';
import { connectServe } from '../support/serve-client';
import { SHARED_AUDIO } from '../support/shared-audio';
import { useTempDirs } from '../support/temp-dir';

const tempDir = useTempDirs();
const e2e = useBrowserAndServe();

/** The CPU chart's canvas as an image, and whether it is still the canvas first seen (marked). */
async function cpuCanvas(page: Page): Promise<{ image: string; same: boolean }> {
  return page.evaluate(() => {
    const canvas = document.querySelector('[data-testid="chart-cpu"] canvas') as HTMLCanvasElement & { seen?: boolean };
    const same = canvas.seen === true;
    canvas.seen = true;
    return { image: canvas.toDataURL(), same };
  });
}

describe('Monitor', () => {
  it('draws CPU, memory and latency charts that follow new samples in place, pauses, and lists processes and stages', async () => {
    const dir = tempDir();
    const host = await e2e.serve(['--config-dir', dir, '--input-wav', SHARED_AUDIO.jfk]);
    // Main samples from start-up: wait until it keeps two before the view opens (a fixed pause
    // was not enough on a busy machine, where the first samples come late).
    const client = await connectServe(host.url);
    const kept = async () =>
      ((await client.invoke('metrics:get-history', { seconds: 900 })) as { samples: unknown[] }).samples.length;
    await expect.poll(kept, { timeout: 20_000, interval: 250 }).toBeGreaterThan(1);
    // A listening session loads the worker's models and streams frames through the wake pipeline.
    await client.invoke('session:start');
    await client.event('session:state', (p) => (p as { state: string }).state === 'armed', 30_000);
    client.close();
    const { page, errors } = await e2e.open(host.url);
    await page.getByRole('link', { name: 'Monitor' }).click();
    expect(page.url()).toMatch(/#\/monitor$/);

    for (const chart of ['chart-cpu', 'chart-memory', 'chart-latency'])
      await page.getByTestId(chart).locator('canvas').waitFor({ timeout: 10_000 });
    // Opened with the samples main kept before: more than one at once.
    expect(Number(await page.getByTestId('monitor-charts').getAttribute('data-samples'))).toBeGreaterThan(1);
    expect(await page.getByTestId('monitor-processes').textContent()).toContain('Main');
    for (const stage of LATENCY_STAGES)
      expect(await page.locator(`[data-testid="monitor-latency"] tr[data-stage="${stage}"]`).count()).toBe(1);

    const first = await cpuCanvas(page);
    // New samples (one a second) move the lines: the pixels change, on the same canvas.
    await expect
      .poll(async () => (await cpuCanvas(page)).image !== first.image, { timeout: 10_000, interval: 500 })
      .toBe(true);
    expect((await cpuCanvas(page)).same).toBe(true);

    // Paused, the chart stays as it is while samples go on arriving.
    await page.getByTestId('monitor-pause').click();
    expect(await page.getByTestId('monitor-pause').getAttribute('aria-pressed')).toBe('true');
    await new Promise((resolve) => setTimeout(resolve, 500)); // a draw already under way ends
    const paused = await cpuCanvas(page);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await cpuCanvas(page)).image).toBe(paused.image);
    await page.getByTestId('monitor-pause').click();
    await expect
      .poll(async () => (await cpuCanvas(page)).image !== paused.image, { timeout: 10_000, interval: 500 })
      .toBe(true);

    // This machine has no GPU (no nvidia-smi): the view says so instead of an empty chart.
    expect(await page.getByTestId('monitor-no-gpu').textContent()).toBe('No GPU found: inference runs on the CPU.');

    // The worker's models, each on the CPU, and the wake pipeline's real-time factor.
    await expect
      .poll(async () => (await page.getByTestId('loaded-model').allTextContents()).join('\n'), { timeout: 10_000 })
      .toMatch(/silero-vad\s*CPU/);
    await expect
      .poll(async () => page.getByTestId('wake-rtf').textContent(), { timeout: 10_000 })
      .toMatch(/% of real time/);

    // The range buttons say which one is on.
    await page.getByRole('button', { name: '1 min' }).click();
    expect(await page.getByRole('button', { name: '1 min' }).getAttribute('aria-pressed')).toBe('true');
    expect(errors).toEqual([]);
  }, 60_000);

  it('charts each GPU nvidia-smi reports, with its name, driver and memory', async () => {
    const dir = tempDir();
    // nvidia-smi's query interface played by a script that prints its documented CSV (this machine has no GPU).
    const fixture = join(import.meta.dirname, '../fixtures/nvidia-smi/query-gpu.csv');
    writeFileSync(join(dir, 'nvidia-smi'), `#!/bin/sh\nexec cat '${fixture}'\n`);
    chmodSync(join(dir, 'nvidia-smi'), 0o755);
    const host = await e2e.serve(['--config-dir', dir, '--input-wav', SHARED_AUDIO.jfk], {
      PATH: `${dir}:${process.env.PATH ?? ''}`,
    });
    const { page, errors } = await e2e.open(host.url);
    await page.getByRole('link', { name: 'Monitor' }).click();
    await page.getByTestId('chart-gpu').locator('canvas').waitFor({ timeout: 10_000 });
    await page.getByTestId('chart-gpu-memory').locator('canvas').waitFor();
    const adapters = await page.getByTestId('gpu').allTextContents();
    expect(adapters.map((a) => a.replace(/\s+/g, ' ').trim())).toEqual([
      'NVIDIA GeForce RTX 3060 (NVIDIA, driver 550.54.14), 12288 MiB, 54 °C',
      'Tesla T4 (NVIDIA, driver 550.54.14), 15360 MiB; its use is not reported',
    ]);
    expect(await page.getByTestId('monitor-no-gpu').count()).toBe(0);
    expect(errors).toEqual([]);
  }, 60_000);

  it('raises an alert when a threshold is set past the current value, and clears it when set back', async () => {
    const dir = tempDir();
    const host = await e2e.serve(['--config-dir', dir, '--input-wav', SHARED_AUDIO.jfk]);
    const { page, errors } = await e2e.open(host.url);
    await page.getByRole('link', { name: 'Monitor' }).click();
    const field = page.getByLabel('System memory available below');
    await field.waitFor({ timeout: 10_000 });
    expect(await field.inputValue()).toBe('400');
    await field.fill(String(Math.ceil(totalmem() / 2 ** 20) + 1024));
    await page.getByTestId('monitor-save-thresholds').click();
    const alert = page.locator('[data-alert="system-memory"]');
    await alert.waitFor({ timeout: 10_000 });
    expect(await alert.textContent()).toMatch(/Only \d+ MiB of memory is left/);
    // Also an app notice, wherever the user is.
    await page.getByRole('link', { name: 'Live' }).click();
    await expect.poll(() => page.getByText(/Only \d+ MiB of memory is left/).count()).toBeGreaterThan(0);
    await page.getByRole('link', { name: 'Monitor' }).click();
    await field.fill('400');
    await page.getByTestId('monitor-save-thresholds').click();
    await expect.poll(() => alert.count(), { timeout: 10_000 }).toBe(0);
    // The threshold was saved in the settings.
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).monitoring.alerts.systemAvailableMb).toBe(400);
    expect(errors).toEqual([]);
  }, 60_000);

  it('turns on the Prometheus endpoint from the Monitor, shows its address and token, and a scraper can read it', async () => {
    const dir = tempDir();
    const host = await e2e.serve(['--config-dir', dir]);
    const { page, errors } = await e2e.open(host.url);
    await page.getByRole('link', { name: 'Monitor' }).click();
    const card = page.getByTestId('metrics-endpoint');
    await card.waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('metrics-endpoint-address').count()).toBe(0);
    // A free port (the default may be taken on a developer's machine).
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await page.getByTestId('metrics-endpoint-port').fill(String(port));
    await card.getByRole('button', { name: 'Use this port' }).click();
    await page.getByTestId('metrics-endpoint-enabled').check();
    await page.getByTestId('metrics-endpoint-address').waitFor({ timeout: 10_000 });
    expect(await card.textContent()).toContain(`http://127.0.0.1:${port}/metrics`);
    const token = (await page.getByTestId('metrics-endpoint-token').textContent())!.trim();
    const scraped = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { Authorization: `Bearer ${token}` } });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('# TYPE earshot_latency_seconds summary');
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).monitoring.endpoint).toEqual({
      enabled: true,
      port,
      token,
    });
    await page.getByTestId('metrics-endpoint-enabled').uncheck();
    await expect.poll(() => page.getByTestId('metrics-endpoint-address').count(), { timeout: 10_000 }).toBe(0);
    expect(errors).toEqual([]);
  }, 60_000);
});
