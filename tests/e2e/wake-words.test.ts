// The Wake words view in Chromium against `earshot serve`: toggling, the saved settings, and the state after a reload.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { RunningServe } from '../support/cli-process';
import { useBrowserAndServe } from '../support/e2e';
import { useTempDirs } from '../support/temp-dir';

const tempDir = useTempDirs();
const e2e = useBrowserAndServe();

const checkbox = (page: Page, name: string) => page.getByRole('checkbox', { name, exact: true });
const activeLine = (page: Page) => page.getByTestId('active-wake-words').textContent();
const savedKeywords = (host: RunningServe) =>
  (JSON.parse(readFileSync(host.settings, 'utf8')) as { wake: { keywords: string[] } }).wake.keywords;

describe('Wake words in the browser', () => {
  it('turns Alexa on and Hey Jarvis off, saves both, and shows the same after a reload', async () => {
    const host = await e2e.serve(['--config-dir', tempDir()]);
    const { page, errors } = await e2e.open(host.url);
    await page.getByRole('link', { name: 'Wake words' }).click();

    await expect.poll(() => activeLine(page)).toBe('Listening for: Hey Jarvis');
    expect(await page.getByTestId('wake-word').count()).toBe(6);
    expect(await checkbox(page, 'Hey Jarvis').isChecked()).toBe(true);
    expect(await checkbox(page, 'Alexa').isChecked()).toBe(false);
    expect(await page.locator('[data-id="alexa"]').textContent()).toContain('CC BY-NC-SA 4.0 (non-commercial)');

    await checkbox(page, 'Alexa').check();
    await expect.poll(() => activeLine(page)).toBe('Listening for: Hey Jarvis, Alexa');
    await expect.poll(() => checkbox(page, 'Hey Jarvis').isEnabled()).toBe(true);
    await checkbox(page, 'Hey Jarvis').uncheck();
    await expect.poll(() => activeLine(page)).toBe('Listening for: Alexa');
    expect(savedKeywords(host)).toEqual(['alexa']);

    await page.reload();
    await expect.poll(() => activeLine(page)).toBe('Listening for: Alexa');
    expect(await checkbox(page, 'Alexa').isChecked()).toBe(true);
    expect(await checkbox(page, 'Hey Jarvis').isChecked()).toBe(false);

    expect(errors).toEqual([]);
    await page.close();
  });
});
