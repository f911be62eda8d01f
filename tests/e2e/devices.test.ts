// The Devices view in Chromium against `earshot serve` with two WAV microphones: ranking, choice, automatic, measuring and the live mic test.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { RunningServe } from '../support/cli-process';
import { useBrowserAndServe } from '../support/e2e';
import { SHARED_AUDIO } from '../support/shared-audio';
import { useTempDirs } from '../support/temp-dir';

const tempDir = useTempDirs();
const e2e = useBrowserAndServe();

const JFK = 'WAV file:jfk.wav';
const NEGATIVE = 'WAV file:negative_reference.wav';

async function serveWithMics(configDir: string): Promise<RunningServe> {
  return e2e.serve(['--config-dir', configDir, '--input-wav', SHARED_AUDIO.jfk, '--input-wav', SHARED_AUDIO.negative]);
}

/** Opens the app on the Devices view (through the navigation) and collects console errors. */
async function openDevices(url: string): Promise<{ page: Page; errors: string[] }> {
  const { page, errors } = await e2e.open(url);
  await page.getByRole('link', { name: 'Devices' }).click();
  await expect.poll(() => page.getByTestId('device-row').count()).toBe(2);
  return { page, errors };
}

const text = (page: Page, testId: string) => page.getByTestId(testId).textContent();
const savedDeviceId = (host: RunningServe) =>
  (JSON.parse(readFileSync(host.settings, 'utf8')) as { audio: { deviceId: string | null } }).audio.deviceId;

describe('Devices in the browser', () => {
  it('ranks both microphones, keeps a choice across a reload, returns to automatic, and meters the mic test', async () => {
    const host = await serveWithMics(tempDir());
    const { page, errors } = await openDevices(host.url);
    const rows = page.getByTestId('device-row');

    expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-device-id')))).toEqual([JFK, NEGATIVE]);
    expect(await page.getByTestId('device-rank').allTextContents()).toEqual(['1', '2']);
    expect(await text(page, 'selected-device')).toBe('jfk.wav');
    expect(await page.getByTestId('auto-choice').getAttribute('aria-pressed')).toBe('true');

    await page.locator(`[data-device-id="${NEGATIVE}"] button`).click();
    await expect.poll(() => text(page, 'selected-device')).toBe('negative_reference.wav');
    expect(await text(page, 'selected-reason')).toBe('Your choice.');
    expect(await page.getByTestId('auto-choice').getAttribute('aria-pressed')).toBe('false');
    expect(savedDeviceId(host)).toBe(NEGATIVE);

    await page.reload();
    await expect.poll(() => text(page, 'selected-device')).toBe('negative_reference.wav');
    expect(await text(page, 'choice-mode')).toContain('Using your choice.');
    expect(await page.locator(`[data-device-id="${NEGATIVE}"]`).getAttribute('aria-current')).toBe('true');

    await page.getByTestId('auto-choice').click();
    await expect.poll(() => text(page, 'selected-device')).toBe('jfk.wav');
    expect(await page.getByTestId('auto-choice').getAttribute('aria-pressed')).toBe('true');
    expect(savedDeviceId(host)).toBeNull();

    const meter = page.getByTestId('level-meter');
    await page.getByTestId('mic-test-toggle').click();
    await expect.poll(() => text(page, 'capture-status')).toBe('Capturing from jfk.wav at 16 kHz, 1 ch.');
    // jfk.wav speaks at about −15 dBFS from a quarter of a second in.
    await expect
      .poll(async () => Number(await meter.getAttribute('aria-valuenow')), { timeout: 5000 })
      .toBeGreaterThan(-40);

    await page.getByTestId('mic-test-toggle').click();
    await expect.poll(() => text(page, 'capture-status')).toBe('Not capturing.');
    expect(await meter.count()).toBe(0);

    expect(errors).toEqual([]);
    await page.close();
  });

  it('measures latency with the button disabled meanwhile, and leaving the view stops the mic test', async () => {
    const host = await serveWithMics(tempDir());
    const { page, errors } = await openDevices(host.url);
    const measure = page.getByTestId('measure-button');

    await measure.click();
    await expect.poll(() => measure.isDisabled()).toBe(true);
    await expect.poll(() => measure.isDisabled(), { timeout: 5000 }).toBe(false);
    const measured = await page.getByTestId('device-measured').allTextContents();
    expect(measured).toHaveLength(2);
    for (const figures of measured) expect(figures).toMatch(/^first buffer \d+ ms/);

    await page.getByTestId('mic-test-toggle').click();
    await expect.poll(() => text(page, 'capture-status')).toMatch(/^Capturing from/);
    await page.getByRole('link', { name: 'Profiles' }).click();

    // A second window sees the microphone released.
    const other = await openDevices(host.url);
    await expect.poll(() => text(other.page, 'capture-status')).toBe('Not capturing.');

    expect([...errors, ...other.errors]).toEqual([]);
    await Promise.all([page.close(), other.page.close()]);
  });
});
