// The Models view in Chromium against `earshot serve`: a download from a local mirror with its progress bar and speed, the
// new model listed, and a second download cancelled from its button leaving nothing in the models folder.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useBrowserAndServe } from '../support/e2e';
import { FileServer } from '../support/file-server';
import { useTempDirs } from '../support/temp-dir';
import { ENCODER, tinyFiles } from '../support/tiny-model';

const tempDir = useTempDirs();
const e2e = useBrowserAndServe();
const REPO = 'Xenova/whisper-tiny-e2e';
const ENCODER_URL = `/${REPO}/resolve/main/${ENCODER}`;

describe('The Models view in the browser', () => {
  let mirror: FileServer;
  beforeEach(async () => {
    mirror = await FileServer.start();
    for (const [path, data] of tinyFiles()) mirror.serve(`/${REPO}/resolve/main/${path}`, data);
  });
  afterEach(() => mirror.close());

  it('downloads from a mirror with progress, lists the model, and cancels another leaving nothing', async () => {
    const modelsDir = join(tempDir(), 'models');
    const host = await e2e.serve(['--config-dir', tempDir()], { EARSHOT_MODELS_DIR: modelsDir });
    const { page, errors } = await e2e.open(host.url);
    await page.getByRole('link', { name: 'Models' }).click();
    await expect.poll(() => page.locator('[data-model]').count()).toBe(2);

    const form = page.getByTestId('model-download');
    const download = async (name: string) => {
      await form.getByLabel('Hugging Face repository').fill(REPO);
      await form.getByLabel('Name', { exact: false }).fill(name);
      await form.getByLabel('Mirror').fill(mirror.baseUrl);
      await form.getByRole('button', { name: 'Download' }).click();
    };

    mirror.pace(ENCODER_URL, 3_000_000);
    await download('mirrored');
    const progress = page.getByTestId('download-progress');
    await expect
      .poll(() => progress.textContent(), { timeout: 20_000, interval: 100 })
      .toMatch(/onnx\/encoder_model_quantized\.onnx\s+\(\d+ of \d+\)\s+·\s+[\d.]+ MB\s+·\s+[\d.]+ (kB|MB)\/s/);
    expect(await page.getByRole('progressbar').count()).toBe(1);
    await expect
      .poll(() => page.getByTestId('download-ended').textContent(), { timeout: 30_000 })
      .toBe(`Downloaded ${REPO} as mirrored: choose it as a profile's speech model.`);
    const row = page.locator('[data-model="mirrored"]');
    expect(await row.textContent()).toContain(`Downloaded from ${mirror.baseUrl}/${REPO}, revision main`);
    expect(await row.getByTestId('model-check').textContent()).toMatch(/Verified fd9d995b9dcb/);

    mirror.pace(ENCODER_URL, 300_000);
    await download('cancelled');
    await expect.poll(() => progress.textContent(), { timeout: 20_000 }).toContain(ENCODER);
    await page.getByTestId('download-cancel').click();
    await expect
      .poll(() => page.getByTestId('download-ended').textContent(), { timeout: 20_000 })
      .toBe(`Downloading ${REPO} was cancelled; nothing was kept.`);
    expect(readdirSync(modelsDir)).toEqual(['mirrored']);
    expect(existsSync(join(modelsDir, '.cancelled.download'))).toBe(false);
    expect(await page.locator('[data-model]').count()).toBe(3);
    expect(errors).toEqual([]);
  }, 90_000);
});
