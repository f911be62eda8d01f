// Voice commands in Chromium against `earshot serve`: "hey jarvis … switch to the low latency profile" spoken into the microphone switches the profile and shows as a command in Live and History; a command of your own added in the Commands view survives a reload.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useBrowserAndServe } from '../support/e2e';
import { sessionWav } from '../support/session-wav';
import { useTempDirs } from '../support/temp-dir';

const tempDir = useTempDirs();
const e2e = useBrowserAndServe();

describe('Voice commands in the browser', () => {
  it('runs a spoken command: the profile switches, Live and History say what ran', async () => {
    const dir = tempDir();
    const wav = await sessionWav(dir, 'switch to the low latency profile');
    const host = await e2e.serve(['--config-dir', dir, '--input-wav', wav.path]);
    const { page, errors } = await e2e.open(host.url);

    await page.getByRole('button', { name: 'Start listening' }).click();
    const done = page.getByTestId('voice-commands').locator('li');
    await expect.poll(() => done.count(), { timeout: 40_000, interval: 200 }).toBe(1);
    expect(await done.textContent(), host.stderr()).toMatch(
      /^Command ".*low.latency profile\.": Now using the Low latency profile\.$/i,
    );
    expect(JSON.parse(readFileSync(host.settings, 'utf8'))).toMatchObject({ activeProfileId: 'low-latency' });

    await page.getByRole('link', { name: 'Profiles' }).click();
    await expect.poll(() => page.getByTestId('active-profile').textContent()).toBe('Low latency');

    await page.getByRole('link', { name: 'History' }).click();
    await page.getByTestId('trigger-filter').selectOption('command');
    const entry = page.getByTestId('history-entry');
    await expect.poll(() => entry.count()).toBe(1);
    expect(await entry.getByTestId('entry-trigger').textContent()).toBe('Command: switch-profile');
    expect(await entry.getByTestId('entry-command').textContent()).toMatch(/Done: Now using the Low latency profile\./);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('adds a command of your own in the Commands view, keeps it across a reload, and refuses a bad phrase', async () => {
    const dir = tempDir();
    const host = await e2e.serve(['--config-dir', dir]);
    const { page, errors } = await e2e.open(host.url);
    await page.getByRole('link', { name: 'Commands' }).click();
    await expect.poll(() => page.getByTestId('built-in-commands').locator('tbody tr').count()).toBe(7);

    await page.getByLabel('Id (lower case, dashes)').fill('lights');
    await page.getByLabel(/^Phrase/).fill('dim the {text}');
    await page.getByLabel('Action').selectOption('webhook');
    await page.getByLabel(/^Local address/).fill('http://homeassistant.local:8123/api/webhook/dim');
    await page.getByLabel(/^JSON body/).fill('{"room": "{text}"}');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const row = page.locator('[data-command="lights"]');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('POST to http://homeassistant.local:8123/api/webhook/dim');

    await page.getByLabel('Id (lower case, dashes)').fill('odd');
    await page.getByLabel(/^Phrase/).fill('do {thing}');
    await page.getByLabel('Action').selectOption('open-url');
    await page.getByLabel(/^Address/).fill('https://example.org/');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').filter({ hasText: '{thing} is not a slot' }).count()).toBe(1);

    await page.reload();
    await page.getByRole('link', { name: 'Commands' }).click();
    await expect.poll(() => page.locator('[data-command="lights"]').count()).toBe(1);
    expect(await page.locator('[data-command="odd"]').count()).toBe(0);
    expect(JSON.parse(readFileSync(host.settings, 'utf8')).commands.user).toHaveLength(1);
    expect(errors).toEqual([]);
    await page.close();
  });
});
