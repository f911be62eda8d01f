// The Settings view in Chromium against `earshot serve`: the theme, where transcripts go and a session switch, kept across a restart of serve; the Live view keeps only the session.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { liveViewOf, useBrowserAndServe } from '../support/e2e';
import { useTempDirs } from '../support/temp-dir';

const tempDir = useTempDirs();
const e2e = useBrowserAndServe();

describe('Settings in the browser', () => {
  it('saves the theme, the output and a switch, and keeps them across a restart of serve', async () => {
    const configDir = tempDir();
    const first = await e2e.serve(['--config-dir', configDir, '--port', '0']);
    const { page, errors } = await e2e.open(first.url);
    // Live keeps only what belongs to a session, and points to Settings.
    expect(await page.getByTestId('output-options').count()).toBe(0);
    await page.getByRole('link', { name: 'Settings', exact: true }).first().click();

    await page.getByTestId('theme-dark').check();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    // The dark palette is what the page draws with.
    expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe(
      'rgb(20, 24, 31)',
    );
    await page.getByTestId('output-type').check();
    await page.getByLabel('Keep recordings of utterances').check();
    await expect
      .poll(() => JSON.parse(readFileSync(first.settings, 'utf8')) as Record<string, Record<string, unknown>>)
      .toMatchObject({ app: { theme: 'dark' }, session: { output: 'type', retainAudio: true } });

    const port = first.port;
    await first.stop();
    const second = await e2e.serve(['--config-dir', configDir, '--port', String(port)]);
    await page.goto(liveViewOf(second.url));
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.getByRole('link', { name: 'Settings', exact: true }).first().click();
    await expect.poll(() => page.getByTestId('output-type').isChecked()).toBe(true);
    expect(await page.getByLabel('Keep recordings of utterances').isChecked()).toBe(true);
    expect(await page.getByTestId('theme-dark').isChecked()).toBe(true);
    expect(await page.getByTestId('start-up-note').textContent()).toMatch(/applies to the desktop app/);
    expect(errors).toEqual([]);
    await page.close();
  });
});
