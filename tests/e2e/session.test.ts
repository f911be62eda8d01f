// A voice session in Chromium against `earshot serve`, with spoken audio as the microphone: the wake word, the command as a final transcript in Live, then the same entry in History and its search.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/main/history/history-store';
import { useBrowserAndServe } from '../support/e2e';
import { sessionWav } from '../support/session-wav';
import { useTempDirs } from '../support/temp-dir';

const tempDir = useTempDirs();
const e2e = useBrowserAndServe();

/** Records every value the session state takes in the page, so quick states are not missed between polls. */
async function recordStates(page: Page): Promise<() => Promise<string[]>> {
  await page.getByTestId('session-state').waitFor();
  await page.evaluate(() => {
    const element = document.querySelector('[data-testid="session-state"]')!;
    const seen = [element.getAttribute('data-state') ?? ''];
    (window as unknown as { seenStates: string[] }).seenStates = seen;
    new MutationObserver(() => {
      const state = element.getAttribute('data-state') ?? '';
      if (seen.at(-1) !== state) seen.push(state);
    }).observe(element, { attributes: true, attributeFilter: ['data-state'] });
  });
  return () => page.evaluate(() => (window as unknown as { seenStates: string[] }).seenStates);
}

describe('A voice session in the browser', () => {
  it('hears "hey jarvis", shows the command as a final in Live, and finds it in History', async () => {
    const dir = tempDir();
    const wav = await sessionWav(dir);
    const db = join(dir, 'history.sqlite');
    const host = await e2e.serve(['--config-dir', dir, '--input-wav', wav.path], { EARSHOT_HISTORY_DB: db });
    const { page, errors } = await e2e.open(host.url);

    // Live is the first view.
    const state = page.getByTestId('session-state');
    await expect.poll(() => state.textContent()).toBe('Idle: not listening');
    expect(page.url()).toMatch(/#\/live$/);
    expect(await page.getByRole('link', { name: 'Live' }).getAttribute('aria-current')).toBe('page');
    const states = await recordStates(page);

    // Capture (the WAV, from its start) and the worker start with the session.
    await page.getByRole('button', { name: 'Start listening' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Stop listening' }).count(), { timeout: 20_000 }).toBe(1);
    expect(await page.getByRole('meter', { name: 'Input level (dBFS)' }).count()).toBe(1);
    expect(await page.getByRole('meter', { name: 'Wake word score' }).count()).toBe(1);

    const final = page.getByTestId('final');
    await expect.poll(() => final.count(), { timeout: 40_000, interval: 200 }).toBe(1);
    // The host's log says why, should the words be wrong (e.g. frames dropped on a busy machine).
    expect((await final.getByTestId('final-text').textContent())?.toLowerCase(), host.stderr()).toContain(
      'kitchen lights',
    );
    expect(await final.getByTestId('final-trigger').textContent()).toBe('Wake word: Hey Jarvis');
    expect(await final.locator('[data-latency="end-to-text"] dt').textContent()).toBe('End of speech → text');
    expect(await final.locator('[data-latency="end-to-text"] dd').textContent()).toMatch(/^\d+ ms$/);
    expect(await final.locator('[data-latency="recording"] dd').textContent()).toMatch(/^\d+(\.\d)? m?s$/);
    await expect.poll(() => state.getAttribute('data-state')).toBe('armed');
    expect(await states()).toEqual(['idle', 'armed', 'recording', 'transcribing', 'armed']);

    const saved = HistoryStore.open(db);
    try {
      expect(saved.list()).toMatchObject([{ trigger: 'wake', keyword: 'hey_jarvis' }]);
      expect(saved.list()[0]!.text.toLowerCase()).toContain('kitchen lights');
    } finally {
      saved.close();
    }

    await page.getByRole('button', { name: 'Stop listening' }).click();
    await expect.poll(() => state.getAttribute('data-state'), { timeout: 10_000 }).toBe('idle');

    await page.getByRole('link', { name: 'History' }).click();
    const entries = page.getByTestId('history-entry');
    await expect.poll(() => entries.count()).toBe(1);
    expect((await entries.getByTestId('entry-text').textContent())?.toLowerCase()).toContain('kitchen lights');
    expect(await entries.getByTestId('entry-trigger').textContent()).toBe('Wake word: Hey Jarvis');
    expect(await entries.getByTestId('entry-facts').textContent()).toContain('Microphone: session.wav');

    const search = page.getByRole('searchbox', { name: 'Search transcripts' });
    await search.fill('kitchen');
    const marks = async () => (await entries.locator('mark').allTextContents()).map((m) => m.toLowerCase());
    await expect.poll(marks).toEqual(['kitchen']);
    await search.fill('bananas');
    await expect.poll(() => page.getByTestId('history-empty').textContent()).toMatch(/^\s*Nothing matches/);
    await search.fill('');
    await expect.poll(() => entries.count()).toBe(1);

    // The final made in Live while History was closed is still listed when Live is opened again.
    await page.getByRole('link', { name: 'Live' }).click();
    expect(await page.getByTestId('final').count()).toBe(1);

    expect(errors).toEqual([]);
    await page.close();
  });
});
