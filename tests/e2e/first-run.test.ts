// The first start in Chromium against `earshot serve`: the setup opens, shows the microphone's level, hears the wake word
// from the (WAV) microphone, and once finished it does not open again; a link to a view skips it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useBrowserAndServe } from '../support/e2e';
import { sessionWav } from '../support/session-wav';
import { useTempDirs } from '../support/temp-dir';

const tempDir = useTempDirs();
const e2e = useBrowserAndServe();

describe('The first-run setup in the browser', () => {
  it('walks through the microphone and the wake word, then opens Live from then on', async () => {
    const dir = tempDir();
    const wav = await sessionWav(dir);
    const host = await e2e.serve(['--config-dir', dir, '--input-wav', wav.path]);
    const { page, errors } = await e2e.open(host.url, { firstRun: true });

    await expect.poll(() => page.url()).toMatch(/#\/setup$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Welcome to Earshot');
    const microphone = page.getByTestId('setup-microphone');
    expect(await microphone.getByLabel('Microphone').inputValue()).toBe('');
    await microphone.getByRole('button', { name: 'Test: speak and watch the level' }).click();
    await expect
      .poll(() => page.getByRole('meter', { name: 'Input level (dBFS)' }).count(), { timeout: 20_000 })
      .toBe(1);
    await page.getByTestId('setup-next').click();

    const wake = page.getByTestId('setup-wake');
    expect(await wake.textContent()).toContain('Hey Jarvis');
    await wake.getByTestId('setup-listen').click();
    await expect
      .poll(() => page.getByTestId('setup-heard').textContent(), { timeout: 40_000, interval: 200 })
      .toMatch(/^\s*Heard “Hey Jarvis” \(score 0\.\d\d\)\. The wake word works\./);
    await page.getByTestId('setup-next').click();

    expect(await page.getByTestId('machine-check').count()).toBe(1);
    expect((await page.getByTestId('setup-profile').textContent())?.trim()).toBe('Active profile: Balanced.');
    await page.getByTestId('setup-finish').click();
    await expect.poll(() => page.url()).toMatch(/#\/live$/);
    const settings = JSON.parse(readFileSync(host.settings, 'utf8')) as { app: { setupDone: boolean } };
    expect(settings.app.setupDone).toBe(true);
    // The wake step's session was stopped when the step was left.
    expect(await page.getByTestId('session-state').textContent()).toBe('Idle: not listening');

    await page.goto(host.url);
    await expect.poll(() => page.getByTestId('session-state').count()).toBe(1);
    expect(page.url()).toMatch(/#\/live$/);
    expect(errors).toEqual([]);
  }, 120_000);

  it('is skipped by a link to a view, and by "Skip setup"', async () => {
    const host = await e2e.serve(['--config-dir', tempDir()]);
    const linked = await e2e.open(host.url);
    await expect.poll(() => linked.page.getByTestId('session-state').count()).toBe(1);
    expect(linked.page.url()).toMatch(/#\/live$/);

    const fresh = await e2e.open(host.url, { firstRun: true });
    await expect.poll(() => fresh.page.url()).toMatch(/#\/setup$/);
    await fresh.page.getByTestId('setup-skip').click();
    await expect.poll(() => fresh.page.url()).toMatch(/#\/live$/);
    expect((JSON.parse(readFileSync(host.settings, 'utf8')) as { app: { setupDone: boolean } }).app.setupDone).toBe(
      true,
    );
    expect([...linked.errors, ...fresh.errors]).toEqual([]);
  }, 60_000);
});
