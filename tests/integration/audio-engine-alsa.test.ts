// The audio engine on real naudiodon and ALSA FIFO microphones: failover, recovery, vanished devices, open/close cycles.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { CaptureStatus } from '../../src/shared/audio';
import { NaudiodonInput } from '../../src/main/audio/naudiodon-input';
import { VirtualAudio, toneSource, type FifoMic } from '../support/alsa';
import { coreServices, waitFor } from '../support/core-services';
import { memoryLog } from '../support/memory-log';

// PortAudio reads ALSA's configuration from $HOME when it first initialises in this process.
const audio = new VirtualAudio();
process.env.HOME = audio.home;
const MONO_16K = { rate: 16000, channels: 1 };
const STEREO_48K = { rate: 48000, channels: 2 };
// Ranked a, c (native 16 kHz, by name), then b.
const micA = audio.addFifoMic('fifo-a', MONO_16K).open();
audio.addFifoMic('fifo-b', STEREO_48K).open(); // ranked last: never needed here
const micC = audio.addFifoMic('fifo-c', MONO_16K).open();
audio.write();
afterAll(() => audio.dispose());

const play = (mic: FifoMic) => mic.play(toneSource(mic.format, 440, 0.3));
let stopAll: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stopAll.map((stop) => stop()));
  stopAll = [];
});

function engine() {
  const core = coreServices(join(audio.home, `config-${Math.random()}`), new NaudiodonInput(memoryLog().log));
  stopAll.push(() => core.audio.dispose());
  return core;
}

const statusWhere = (core: ReturnType<typeof engine>, test: (s: CaptureStatus) => boolean, ms: number, what: string) =>
  waitFor<CaptureStatus, CaptureStatus>(
    (h) => core.audio.onStatus(h),
    (s) => (test(s) ? s : undefined),
    ms,
    what,
  );

describe('audio engine on ALSA microphones', () => {
  it('fails over to the next best device when the microphone stalls, and goes back when it returns', async () => {
    play(micA);
    play(micC);
    const core = engine();
    const started = await core.audio.start('test');
    expect(started).toMatchObject({
      state: 'capturing',
      device: { name: 'fifo-a', fallback: false },
      sampleRate: 16000,
    });
    const flowing = core.audio.framesEmitted;
    await new Promise((r) => setTimeout(r, 500));
    expect(core.audio.framesEmitted).toBeGreaterThan(flowing);

    micA.pause(); // the FIFO stays open but silent: a stalled device
    const lost = await statusWhere(core, (s) => s.device?.name === 'fifo-c', 6000, 'failover to fifo-c');
    expect(lost).toMatchObject({ state: 'capturing', device: { fallback: true } });
    expect(lost.message).toMatch(/^Lost "fifo-a" \(no audio for \d\.\d s\)\.$/);
    expect(lost.device?.reason).toMatch(/"fifo-a" is not working/);
    const onC = core.audio.framesEmitted;
    await new Promise((r) => setTimeout(r, 500));
    expect(core.audio.framesEmitted).toBeGreaterThan(onC + 3);

    play(micA);
    const back = await statusWhere(core, (s) => s.device?.name === 'fifo-a', 15000, 'fifo-a to come back');
    expect(back).toMatchObject({ state: 'capturing', message: '"fifo-a" is back.', device: { fallback: false } });
  }, 40_000);

  it('treats a microphone whose source closed (end of file) as lost, and takes it back when it plays again', async () => {
    play(micA);
    play(micC);
    const core = engine();
    await core.audio.start('test');
    expect(core.audio.status.device?.name).toBe('fifo-a');
    micA.close(); // no writer at all: ALSA reads end-of-file and hands out silence as fast as asked
    const lost = await statusWhere(core, (s) => s.device?.name === 'fifo-c', 6000, 'failover to fifo-c');
    expect(lost.message).toBe(
      'Lost "fifo-a" (the device delivers audio faster than real time (its source has ended)).',
    );
    play(micA);
    const back = await statusWhere(core, (s) => s.device?.name === 'fifo-a', 15000, 'fifo-a to come back');
    expect(back.message).toBe('"fifo-a" is back.');
  }, 40_000);

  it("falls back from the user's vanished choice with a reason, and refuses to open a device that is gone", async () => {
    play(micC);
    const core = engine();
    core.settings.update({ audio: { deviceId: 'ALSA:fifo-gone' } });
    const report = await core.audio.report();
    expect(report.selected).toMatchObject({
      fallback: true,
      reason: 'your choice "fifo-gone" is not connected; using the next best until it is back',
    });

    // A device present at enumeration that disappears before it is opened (unplugged).
    const input = new NaudiodonInput(memoryLog().log);
    expect((await input.listDevices()).map((d) => d.name)).toContain('fifo-c');
    const config = join(audio.home, '.asoundrc');
    const full = audio.config();
    writeFileSync(config, full.replace(/pcm\.fifo-c \{[\s\S]*?\n\}\n?/, ''));
    try {
      await expect(input.start({ deviceId: 'ALSA:fifo-c' })).rejects.toMatchObject({
        code: 'DeviceUnavailable',
        message: 'The microphone "fifo-c" is not connected. Choose another one in Devices.',
      });
    } finally {
      writeFileSync(config, full);
    }
  });

  it('survives 200 open/close cycles without leaking or crashing', async () => {
    play(micC);
    const input = new NaudiodonInput(memoryLog().log);
    const cycle = async (): Promise<number> => {
      const capture = await input.start({ deviceId: 'ALSA:fifo-c' });
      let frames = 0;
      capture.onFrame((chunk) => (frames += chunk.frames));
      await new Promise((r) => setTimeout(r, 15));
      await capture.stop();
      return frames;
    };
    for (let i = 0; i < 20; i++) await cycle(); // warm-up: allocator pools, JIT
    globalThis.gc?.();
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 200; i++) await cycle();
    globalThis.gc?.();
    const grown = (process.memoryUsage().rss - before) / 2 ** 20;
    expect(grown).toBeLessThan(40);
    // And the device still works afterwards.
    const capture = await input.start({ deviceId: 'ALSA:fifo-c' });
    let frames = 0;
    capture.onFrame((chunk) => (frames += chunk.frames));
    await new Promise((r) => setTimeout(r, 400));
    await capture.stop();
    expect(frames).toBeGreaterThan(2000);
  }, 120_000);
});
