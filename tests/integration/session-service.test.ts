// The voice session through the IPC contract, on the real services: a push-to-talk utterance of
// jfk.wav from press to a final in the history (with its recording), the history channels, the
// global shortcut's outcomes, and the failures that must not lose the transcript.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { composeServices, type AppServices } from '../../src/main/host/services';
import { WavFileInput } from '../../src/main/audio/wav-file-input';
import { trustedOriginOf } from '../../src/main/ipc/sender-guard';
import { JsonFileSettingsBackend } from '../../src/main/settings/json-file-backend';
import { bindToggleShortcut, type ShortcutRegistry } from '../../src/main/session/toggle-shortcut';
import type { EventChannel } from '../../src/shared/ipc/contract';
import type { FinalTranscript, SessionProblem } from '../../src/shared/session';
import { startBusyProcesses } from '../support/busy-processes';
import { loopbackBridge } from '../support/loopback-bridge';
import { memoryLog } from '../support/memory-log';
import { SHARED_AUDIO } from '../support/shared-audio';
import { useTempDirs } from '../support/temp-dir';
import { normaliseText } from '../support/wer';
import { NO_DESKTOP } from '../../src/main/actions/desktop';

const tempDir = useTempDirs();
const running: AppServices[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.dispose()));
});

async function bridge() {
  const { api, services } = await loopbackBridge(tempDir());
  running.push(services);
  return { api, services, seen: record(services) };
}

/** Every event the hub sends, by channel, in order. */
function record(services: AppServices) {
  const seen: { channel: EventChannel; payload: unknown }[] = [];
  services.events.addSink((channel, payload) => seen.push({ channel, payload }));
  const of = <T>(channel: EventChannel) => seen.filter((e) => e.channel === channel).map((e) => e.payload as T);
  const next = async <T>(channel: EventChannel, timeoutMs = 20_000): Promise<T> => {
    const before = of<T>(channel).length;
    const deadline = Date.now() + timeoutMs;
    while (of<T>(channel).length === before) {
      if (Date.now() > deadline) throw new Error(`no ${channel} event within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return of<T>(channel).at(-1) as T;
  };
  return { of, next };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A desktop's shortcut table: one owner per accelerator, and some already taken by other apps. */
class ShortcutTable implements ShortcutRegistry {
  readonly callbacks = new Map<string, () => void>();
  constructor(private readonly takenByOthers: string[] = []) {}
  register(accelerator: string, callback: () => void): boolean {
    if (this.takenByOthers.includes(accelerator) || this.callbacks.has(accelerator)) return false;
    this.callbacks.set(accelerator, callback);
    return true;
  }
  unregister(accelerator: string): void {
    this.callbacks.delete(accelerator);
  }
}

describe('voice session over the IPC contract', () => {
  it('records push-to-talk from press to release, saves the final with its recording, and lists it', async () => {
    const { api, seen } = await bridge();
    await api.setSessionOptions({ retainAudio: true, output: 'clipboard' });
    const pressed = await api.pressToTalk();
    expect(pressed).toMatchObject({ running: true, pressed: true, state: 'recording' });
    // jfk.wav plays from the start of capture: "And so, my fellow Americans, ask not…" is in the first 4.5 s.
    await sleep(4500);
    expect(await api.releaseToTalk()).toMatchObject({ pressed: false });
    const final = await seen.next<FinalTranscript>('session:final');
    expect(normaliseText(final.text).join(' ')).toContain('my fellow americans');
    expect(final).toMatchObject({ trigger: 'ptt', keyword: null, recovered: false, noSpeech: false });
    expect(final.output).toEqual({ delivered: 'history', app: null });
    expect(final.timings.recordingMs).toBeGreaterThan(4000);
    expect(final.timings.endedAt - final.timings.startedAt).toBeCloseTo(final.timings.recordingMs, -1);
    expect(final.timings.endToTextMs).toBeGreaterThan(0);
    // This host has no clipboard: said so, and the transcript is still saved.
    expect(seen.of<SessionProblem>('session:problem')).toContainEqual(
      expect.objectContaining({ kind: 'error', code: 'ClipboardUnavailable' }),
    );
    expect(seen.of<{ state: string }>('session:state').map((s) => s.state)).toEqual([
      'armed',
      'recording',
      'transcribing',
      'armed',
    ]);

    const page = await api.listHistory({});
    expect(page.total).toBe(1);
    expect(page.entries[0]).toMatchObject({ id: final.historyId, trigger: 'ptt', hasAudio: true, profile: 'balanced' });
    expect(Object.keys(page.entries[0]!.latency)).toEqual(['encoder_ms', 'decoder_ms', 'end_to_text_ms']);
    const audio = await api.getHistoryAudio({ id: final.historyId! });
    const wav = Buffer.from(audio.base64, 'base64');
    expect(wav.subarray(0, 4).toString()).toBe('RIFF');
    // 16 kHz 16-bit mono: the recording, pre-roll included, is as long as the utterance.
    expect((wav.length - 44) / 32_000).toBeGreaterThan(final.timings.recordingMs / 1000 - 0.2);

    expect((await api.listHistory({ search: 'americans' })).entries[0]?.snippet).toMatch(/\[Americans\]/i);
    expect(await api.exportHistory({ format: 'txt' })).toMatchObject({ filename: 'earshot-history.txt' });
    expect(await api.deleteHistoryEntry({ id: final.historyId! })).toEqual({ deleted: true });
    await expect(api.getHistoryAudio({ id: final.historyId! })).rejects.toMatchObject({ code: 'HistoryEntryMissing' });
    expect((await api.listHistory({})).total).toBe(0);
    expect(seen.of('history:changed')).toEqual([{ count: 1 }, { count: 0 }]);

    expect(await api.stopSession()).toMatchObject({ running: false, state: 'idle' });
  }, 60_000);

  it('with two busy processes beside it, a push-to-talk of jfk.wav still gives its whole text: none of its audio is lost', async () => {
    const load = startBusyProcesses(2);
    try {
      const { api, seen } = await bridge();
      await api.pressToTalk();
      await sleep(11_500); // all of jfk.wav, which plays from the start of capture
      await api.releaseToTalk();
      const final = await seen.next<FinalTranscript>('session:final', 60_000);
      // If the worker fell behind and frames were dropped on their way, the final says so and
      // comes from main's copy of the audio; either way it is the whole sentence.
      expect(normaliseText(final.text).join(' ')).toBe(
        'and so my fellow americans ask not what your country can do for you ask what you can do for your country',
      );
      expect(final.timings.recordingMs).toBeGreaterThan(11_000);
    } finally {
      await load.stop();
    }
  }, 90_000);

  it('drops a press let go while the session was still starting, instead of recording until the next release', async () => {
    const { api, services } = await bridge();
    // The press starts the session (seconds: the worker, its models); the key is up long before.
    const pressing = api.pressToTalk();
    await sleep(50);
    services.session.release();
    const status = await pressing;
    expect(status).toMatchObject({ running: true, pressed: false, state: 'armed' });
    await sleep(500);
    expect(services.session.status()).toMatchObject({ pressed: false, state: 'armed' });
  }, 60_000);

  it('refuses malformed requests with the reason, before any service runs', async () => {
    const { api, services } = await bridge();
    await expect(api.deleteHistoryEntry({ id: -1 })).rejects.toMatchObject({ code: 'InvalidPayload' });
    await expect(api.listHistory({ limit: 100_000 })).rejects.toMatchObject({ code: 'InvalidPayload' });
    await expect(api.setSessionOptions({ toggleShortcut: 'Q' })).rejects.toMatchObject({
      code: 'InvalidPayload',
      message: expect.stringMatching(/toggleShortcut Q alone would be taken from every other app/),
    });
    await expect(api.setSessionOptions({ cueSound: 'yes' } as never)).rejects.toMatchObject({ code: 'InvalidPayload' });
    expect(services.settings.get().session.toggleShortcut).toBe('CommandOrControl+Shift+Space');
    await expect(api.getHistoryAudio({ id: 12345 })).rejects.toMatchObject({ code: 'HistoryEntryMissing' });
  });

  it('registers the toggle shortcut, reports a taken one, and toggles push-to-talk with it', async () => {
    const { api, services, seen } = await bridge();
    const table = new ShortcutTable(['Alt+F9']);
    const unbind = bindToggleShortcut(table, services.session, services.settings, memoryLog().log, null);
    try {
      expect((await api.getSessionStatus()).shortcut).toEqual({
        accelerator: 'CommandOrControl+Shift+Space',
        registered: true,
        problem: null,
      });
      await api.setSessionOptions({ toggleShortcut: 'alt+f9' });
      const status = await api.getSessionStatus();
      expect(status.shortcut).toMatchObject({ accelerator: 'alt+f9', registered: false });
      expect(status.shortcut.problem).toMatch(/Alt\+F9 could not be registered: another app/);
      expect(seen.of<SessionProblem>('session:problem').at(-1)).toMatchObject({ code: 'ShortcutUnavailable' });
      expect([...table.callbacks.keys()]).toEqual([]);

      await api.setSessionOptions({ toggleShortcut: 'Ctrl+Alt+Space' });
      expect((await api.getSessionStatus()).shortcut).toMatchObject({ registered: true, problem: null });
      table.callbacks.get('Control+Alt+Space')!();
      // The first press starts the session (worker and capture) before it records.
      await expect.poll(async () => (await api.getSessionStatus()).state, { timeout: 10_000 }).toBe('recording');
      await sleep(1500);
      table.callbacks.get('Control+Alt+Space')!();
      await expect.poll(async () => (await api.getSessionStatus()).pressed).toBe(false);
      expect((await seen.next<FinalTranscript>('session:final')).trigger).toBe('ptt');

      await api.setSessionOptions({ toggleShortcut: null });
      expect((await api.getSessionStatus()).shortcut).toEqual({ accelerator: null, registered: false, problem: null });
      expect(table.callbacks.size).toBe(0);
    } finally {
      unbind();
    }
  }, 60_000);

  it('keeps the session working when the history was written by a newer Earshot, and says so', async () => {
    const dir = tempDir();
    const historyPath = join(dir, 'history.sqlite');
    const newer = new Database(historyPath);
    newer.pragma('user_version = 99');
    newer.close();
    const { log } = memoryLog();
    const services = composeServices({
      host: 'serve',
      settingsBackend: new JsonFileSettingsBackend(join(dir, 'settings.json')),
      audioInput: await WavFileInput.open([SHARED_AUDIO.jfk]),
      trustedOrigin: trustedOriginOf('http://127.0.0.1:4999'),
      historyPath,
      desktop: NO_DESKTOP,
      log,
    });
    running.push(services);
    const notices = services.appInfo().notices;
    expect(notices).toEqual([
      {
        code: 'HistoryUnavailable',
        message: expect.stringMatching(/written by a newer Earshot.*kept only until Earshot quits/),
      },
    ]);
    services.history.add({
      text: 'kept in memory',
      language: 'en',
      trigger: 'ptt',
      profile: 'balanced',
      durationMs: 1,
    });
    expect(services.history.list()).toMatchObject([{ text: 'kept in memory' }]);
    // The newer file is left exactly as it was.
    const check = new Database(historyPath, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(99);
    check.close();
  });
});
