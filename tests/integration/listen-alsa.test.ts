// `earshot listen` through a real ALSA virtual microphone fed at real-time pace: wake word, push-to-talk, and a microphone that stalls and comes back.
import { describe, expect, it } from 'vitest';
import { historyOf } from '../support/history-of';
import type { FifoMic } from '../support/alsa';
import {
  frames,
  Listen,
  MIC,
  MIC_NAME,
  pushToTalkCommand,
  useLiveListen,
  written,
  type ListenEvent,
} from '../support/live-listen';
import { useTempDirs } from '../support/temp-dir';
import { normaliseText } from '../support/wer';

const tempDir = useTempDirs();

const listenMachine = useLiveListen(tempDir);

/**
 * Resolves once something has read the FIFO at real-time pace for `steadyMs`. Nobody reads it while
 * the device is lost; the engine's recovery probe reads it for 0.6 s; so a longer steady stretch
 * means capture is back. (The CLI prints nothing when the microphone returns.)
 */
async function readSteadily(mic: FifoMic, steadyMs: number, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  let last = { at: performance.now(), written: mic.written };
  let steadySince = last.at;
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    const now = { at: performance.now(), written: mic.written };
    const expected = ((now.at - last.at) / 1000) * MIC.rate;
    if (now.written - last.written < expected / 2) steadySince = now.at;
    else if (now.at - steadySince >= steadyMs) return;
    if (now.at > deadline) throw new Error(`nothing read the microphone steadily within ${ms} ms`);
    last = now;
  }
}

const spoken = (event: ListenEvent | undefined): string => normaliseText(String(event?.text)).join(' ');
const isReady = (e: ListenEvent) => e.type === 'ready';

describe('earshot listen on an ALSA microphone', () => {
  it('hears the wake word and the command from a live microphone and saves the final in the history', async () => {
    const { mic, scene, speech, db, env } = await listenMachine();
    const listen = new Listen(['--device', MIC_NAME, '--max-utterances', '1'], env);
    expect(await listen.event(isReady, 45_000, 'ready')).toEqual({ type: 'ready', device: MIC_NAME });
    // The microphone is live from here; someone speaks a moment later.
    mic.play(scene.source);
    scene.place(speech, mic.written + frames(300));

    expect(await listen.exit(45_000), listen.stderr).toBe(0);
    const { events } = listen;
    expect(events.find((e) => e.type === 'wake')).toMatchObject({ keyword: 'hey_jarvis' });
    expect(events.filter((e) => e.type === 'state').map((e) => e.state)).toEqual([
      'armed',
      'recording',
      'transcribing',
      'armed',
    ]);
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    const final = events.find((e) => e.type === 'final');
    expect(final).toMatchObject({ trigger: 'wake', keyword: 'hey_jarvis', language: 'en' });
    expect(spoken(final)).toContain('kitchen lights');
    expect(historyOf(db)).toMatchObject([
      { id: final?.history_id, trigger: 'wake', keyword: 'hey_jarvis', text: final?.text, device: MIC_NAME },
    ]);
  }, 90_000);

  it('records between "start" and "stop" with --ptt, and ignores the wake word', async () => {
    const machine = await listenMachine();
    const { db, env } = machine;
    const listen = new Listen(['--device', MIC_NAME, '--ptt', '--max-utterances', '1'], env);
    await listen.event(isReady, 45_000, 'ready');
    // Press just before the command is spoken and release after it, as the microphone hears them.
    await pushToTalkCommand(machine, listen);

    expect(await listen.exit(30_000), listen.stderr).toBe(0);
    const { events } = listen;
    expect(events.some((e) => e.type === 'wake')).toBe(false);
    expect(events.filter((e) => e.type === 'state').map((e) => e.state)).toEqual(['recording', 'transcribing', 'idle']);
    const final = events.find((e) => e.type === 'final');
    expect(final).toMatchObject({ trigger: 'ptt', keyword: null });
    expect(spoken(final)).toContain('kitchen lights');
    expect(historyOf(db)).toMatchObject([{ trigger: 'ptt', text: final?.text, device: MIC_NAME }]);
  }, 90_000);

  it('reports a microphone that stops delivering as DeviceLost, and goes on when it delivers again', async () => {
    const { mic, scene, speech, db, env } = await listenMachine();
    const listen = new Listen(['--device', MIC_NAME, '--max-utterances', '1'], env);
    await listen.event(isReady, 45_000, 'ready');
    mic.play(scene.source);
    await written(mic, frames(1000), 10_000);

    mic.pause(); // the FIFO stays open but nothing comes: a microphone unplugged mid-session
    const lost = await listen.event((e) => e.type === 'error', 15_000, 'the device to be lost');
    expect(lost).toMatchObject({ code: 'DeviceLost' });
    expect(lost.message).toMatch(/^Lost "usbmic" \(no audio for \d\.\d s\)\. .*Earshot keeps trying\.$/);

    mic.play(scene.source); // plugged back in
    await readSteadily(mic, 1500, 20_000);
    scene.place(speech, mic.written + frames(300));

    expect(await listen.exit(45_000), listen.stderr).toBe(0);
    const { events } = listen;
    const index = (type: string) => events.findIndex((e) => e.type === type);
    expect(events.filter((e) => e.type === 'error')).toEqual([lost]);
    // Capture is back (said so), then the wake word and the command are heard as before the loss.
    expect(events[index('device')]).toMatchObject({ type: 'device', state: 'capturing', device: MIC_NAME });
    expect(index('device')).toBeGreaterThan(index('error'));
    expect(index('wake')).toBeGreaterThan(index('device'));
    const final = events.find((e) => e.type === 'final');
    expect(final).toMatchObject({ trigger: 'wake', keyword: 'hey_jarvis' });
    expect(spoken(final)).toContain('kitchen lights');
    expect(historyOf(db)).toMatchObject([{ trigger: 'wake', text: final?.text, device: MIC_NAME }]);
  }, 90_000);
});
