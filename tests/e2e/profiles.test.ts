// The real GUI in Chromium against `earshot serve`: profile switching round-trips, survives reloads and restarts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { RunningServe } from '../support/cli-process';
import { liveViewOf, useBrowserAndServe } from '../support/e2e';
import { useTempDirs } from '../support/temp-dir';

const tempDir = useTempDirs();
const e2e = useBrowserAndServe();

const serve = (configDir: string, port = 0): Promise<RunningServe> =>
  e2e.serve(['--config-dir', configDir, '--port', String(port)]);
const showProfiles = (page: Page) => page.getByRole('link', { name: 'Profiles' }).click();
/** Opens the app (Live is its first view) and goes to Profiles through the navigation. */
async function open(url: string): Promise<{ page: Page; errors: string[] }> {
  const opened = await e2e.open(url);
  await showProfiles(opened.page);
  return opened;
}

const activeProfile = (page: Page) => page.getByTestId('active-profile');

describe('Profiles in the browser', () => {
  it('loads the UI, switches the profile, and keeps it across a reload and a host restart', async () => {
    const configDir = tempDir();
    const first = await serve(configDir);
    const { page, errors } = await open(first.url);

    await expect.poll(() => activeProfile(page).textContent()).toBe('Balanced');
    expect(await page.locator('[data-profile]').count()).toBe(4);
    // The token leaves the address bar once it is stored for the tab.
    expect(page.url()).not.toContain('token=');

    await page.locator('[data-profile="low-latency"] button.primary').click();
    await expect.poll(() => activeProfile(page).textContent()).toBe('Low latency');
    expect(await page.locator('[data-profile="low-latency"] .badge').textContent()).toBe('Active');
    expect(JSON.parse(readFileSync(first.settings, 'utf8'))).toMatchObject({ activeProfileId: 'low-latency' });

    await page.reload();
    await expect.poll(() => activeProfile(page).textContent()).toBe('Low latency');

    const port = first.port;
    await first.stop();
    const second = await serve(configDir, port);
    expect(second.url).not.toBe(first.url); // a new token per run
    await page.goto(liveViewOf(second.url));
    await showProfiles(page);
    await expect.poll(() => activeProfile(page).textContent()).toBe('Low latency');

    expect(errors).toEqual([]);
    await page.close();
  });

  it('follows a profile change made by another client', async () => {
    const host = await serve(tempDir());
    const a = await open(host.url);
    const b = await open(host.url);
    await expect.poll(() => activeProfile(b.page).textContent()).toBe('Balanced');
    await a.page.locator('[data-profile="high-accuracy"] button.primary').click();
    await expect.poll(() => activeProfile(b.page).textContent()).toBe('High accuracy');
    await Promise.all([a.page.close(), b.page.close()]);
  });

  it('shows a warning, not a crash, when the settings file is corrupt', async () => {
    const configDir = tempDir();
    writeFileSync(join(configDir, 'settings.json'), '{"version": 1, "activeProfileId": ');
    const host = await serve(configDir);
    expect(host.stderr()).toMatch(/warning: Your settings could not be used/);
    const { page } = await open(host.url);
    const alert = page.getByRole('alert').filter({ hasText: 'default settings' });
    await expect.poll(() => alert.count()).toBe(1);
    expect(await alert.textContent()).toContain('.bak');
    await expect.poll(() => activeProfile(page).textContent()).toBe('Balanced');
    await page.close();
  });

  it('refuses a WebSocket without the token, even from the app page itself', async () => {
    const host = await serve(tempDir());
    const { page } = await open(host.url);
    await expect.poll(() => activeProfile(page).textContent()).toBe('Balanced');
    const outcome = await page.evaluate(
      (port) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(`ws://127.0.0.1:${port}/ipc`);
          ws.onopen = () => resolve('open');
          ws.onclose = (event) => resolve(`closed ${event.code}`);
        }),
      host.port,
    );
    expect(outcome).toBe('closed 1006');
    expect(host.stderr()).toContain('refused WebSocket connection: Unauthorized');
    await page.close();
  });

  it('tells the user what to do when opened without the token', async () => {
    const host = await serve(tempDir());
    const { page } = await open(`http://127.0.0.1:${host.port}/`);
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.first().textContent()).toContain('address printed by `earshot serve`');
    await page.close();
  });
});
