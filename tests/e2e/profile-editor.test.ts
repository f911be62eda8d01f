// Profiles of your own in Chromium against `earshot serve`: duplicate Balanced, change the partial interval and the wake threshold, save, use it, reload; an invalid value refused by name; delete it and Balanced is back.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useBrowserAndServe } from '../support/e2e';
import { useTempDirs } from '../support/temp-dir';

const tempDir = useTempDirs();
const e2e = useBrowserAndServe();

describe('The profile editor in the browser', () => {
  it('makes, uses, keeps and deletes a profile of your own', async () => {
    const host = await e2e.serve(['--config-dir', tempDir()]);
    const { page, errors } = await e2e.open(host.url);
    await page.getByRole('link', { name: 'Profiles' }).click();
    await page.locator('[data-profile="balanced"]').getByRole('button', { name: 'Duplicate' }).click();

    const editor = page.getByTestId('profile-editor');
    await editor.getByLabel('Name', { exact: true }).fill('Snappy');
    await editor.getByLabel('Partial transcript every (ms)').fill('250');
    await editor.getByLabel('Threshold', { exact: true }).fill('1.5');
    // Refused with the field named, and nothing can be saved until it is right.
    await expect.poll(() => editor.getByRole('alert').first().textContent()).toMatch(/^\s*Threshold: Too big/);
    expect(await editor.getByRole('button', { name: 'Save profile' }).isDisabled()).toBe(true);
    await editor.getByLabel('Threshold', { exact: true }).fill('0.4');
    expect(await editor.getByTestId('profile-diff').locator('li').allTextContents()).toEqual([
      'Partial transcript every (ms): 500 → 250',
      'Threshold: 0.5 → 0.4',
    ]);
    await editor.getByRole('button', { name: 'Save profile' }).click();

    const card = page.locator('[data-profile="balanced-copy"]');
    await card.getByRole('button', { name: 'Use Snappy' }).click();
    await expect.poll(() => page.getByTestId('active-profile').textContent()).toBe('Snappy');

    await page.reload();
    await page.getByRole('link', { name: 'Profiles' }).click();
    await expect.poll(() => page.getByTestId('active-profile').textContent()).toBe('Snappy');
    const saved = JSON.parse(readFileSync(host.settings, 'utf8')) as {
      activeProfileId: string;
      profiles: { custom: { id: string; partialIntervalMs: number; wake: { threshold: number } }[] };
    };
    expect(saved.activeProfileId).toBe('balanced-copy');
    expect(saved.profiles.custom).toMatchObject([
      { id: 'balanced-copy', partialIntervalMs: 250, wake: { threshold: 0.4 } },
    ]);
    await page.locator('[data-profile="balanced-copy"]').getByRole('button', { name: 'Edit' }).click();
    expect(await page.getByTestId('profile-editor').getByLabel('Partial transcript every (ms)').inputValue()).toBe(
      '250',
    );
    await page.getByRole('button', { name: 'Cancel' }).click();

    await page.locator('[data-profile="balanced-copy"]').getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => page.getByTestId('active-profile').textContent()).toBe('Balanced');
    expect(await page.getByText('The profile you deleted was active: Earshot now uses Balanced.').count()).toBe(1);
    expect(await page.locator('[data-profile="balanced-copy"]').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
