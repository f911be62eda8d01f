// The audio engine over the WAV-file microphone: holders, frames, levels, pre-roll, live profile switches, the saved choice.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WavFileInput } from '../../src/main/audio/wav-file-input';
import { decodeWavFile } from '../../src/main/audio/wav';
import { coreServices } from '../support/core-services';
import { SHARED_AUDIO } from '../support/shared-audio';
import { useTempDirs } from '../support/temp-dir';
import { dbfs, rms } from '../support/wav-analysis';

const tempDir = useTempDirs();
const disposers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(disposers.splice(0).map((d) => d()));
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function engine(files: string[] = [SHARED_AUDIO.jfk]) {
  const dir = tempDir();
  const core = coreServices(dir, await WavFileInput.open(files));
  disposers.push(() => core.audio.dispose());
  return { ...core, dir };
}

describe('audio engine (WAV microphone)', () => {
  it('captures while anyone holds it: 12.5 frames per second, levels at most 20 per second', async () => {
    const { audio } = await engine();
    let levels = 0;
    audio.onLevel(() => levels++);
    const status = await audio.start('a');
    expect(status).toMatchObject({ state: 'capturing', sampleRate: 16000, channels: 1, device: { name: 'jfk.wav' } });
    await audio.start('b');
    await sleep(1000);
    await audio.stop('a');
    expect(audio.status.state).toBe('capturing');
    await sleep(600);
    await audio.stop('b');
    expect(audio.status.state).toBe('stopped');
    expect(audio.framesEmitted).toBeGreaterThanOrEqual(18); // 1.6 s × 12.5, less start-up
    expect(audio.framesEmitted).toBeLessThanOrEqual(22);
    expect(levels).toBeGreaterThan(10);
    expect(levels).toBeLessThanOrEqual(34); // ≤ 20 per second over ~1.6 s
  });

  it('gives back the audio of earlier frames by number, exactly as they were emitted', async () => {
    const { audio } = await engine();
    const frames: Float32Array[] = [];
    audio.onFrame((samples, seq) => (frames[seq] = samples.slice()));
    await audio.start('test');
    await sleep(1200);
    await audio.stop('test');
    const last = audio.framesEmitted - 1;
    expect(last).toBeGreaterThan(10);
    const again = audio.framesAudio(3, 10)!;
    expect(again.length).toBe(8 * 1280);
    for (let seq = 3; seq <= 10; seq++) expect(again.subarray((seq - 3) * 1280, (seq - 2) * 1280)).toEqual(frames[seq]);
    expect(audio.framesAudio(last - 2, last + 1)).toBeUndefined(); // not captured yet
  });

  it('keeps the recent past in the ring buffer: the pre-roll is the recording itself', async () => {
    const { audio } = await engine();
    await audio.start('test');
    await sleep(1500);
    await audio.stop('test');
    const jfk = await decodeWavFile(SHARED_AUDIO.jfk); // already 16 kHz mono
    const held = audio.buffer.written;
    const last = new Float32Array(8000);
    expect(audio.buffer.readLatest(8000, last)).toBe(8000);
    // 16 kHz in, 16 kHz out: the resampler passes it through, so samples match exactly.
    expect(Array.from(last)).toEqual(Array.from(jfk.samples.subarray(held - 8000, held)));
  });

  it('applies a profile switch live: ring size and resampler quality change without a restart', async () => {
    const { audio, profiles } = await engine([SHARED_AUDIO.negative]);
    const statuses: string[] = [];
    audio.onStatus((s) => statuses.push(s.state));
    await audio.start('test');
    await sleep(400);
    expect(audio.buffer.capacity).toBe(60 * 16000);
    profiles.setActive('high-accuracy');
    expect(audio.buffer.capacity).toBe(90 * 16000);
    const before = audio.framesEmitted;
    await sleep(600);
    expect(audio.framesEmitted).toBeGreaterThan(before + 4);
    expect(statuses).toEqual(['capturing']);
    const speech = new Float32Array(16000);
    audio.buffer.readLatest(16000, speech);
    expect(dbfs(rms(speech))).toBeGreaterThan(-50); // the recording, not silence, after the switch
  });

  it('saves the chosen device by id and refuses unknown ones', async () => {
    const { audio, dir } = await engine([SHARED_AUDIO.jfk, SHARED_AUDIO.heyJane]);
    const auto = await audio.report();
    expect(auto.selected?.reason).toMatch(/^first in the ranking/);
    const chosen = await audio.choose('WAV file:hey_jane.wav');
    expect(chosen.selected).toMatchObject({ name: 'hey_jane.wav', reason: 'your choice', fallback: false });
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'))).toMatchObject({
      audio: { deviceId: 'WAV file:hey_jane.wav' },
    });
    await expect(audio.choose('WAV file:nope.wav')).rejects.toMatchObject({ code: 'DeviceUnavailable' });
    expect((await audio.choose(null)).selected?.reason).toMatch(/^first in the ranking/);
  });

  it('measures the device in use from its live stream, so it keeps its rank while capturing', async () => {
    const { audio } = await engine([SHARED_AUDIO.jfk, SHARED_AUDIO.heyJane]);
    const status = await audio.start('test');
    const report = await audio.report({ measure: true });
    await audio.stop('test');
    expect(report.devices.every((d) => d.measurement?.ok)).toBe(true);
    const live = report.devices.find((d) => d.device.id === status.device?.id);
    expect(live?.measurement?.firstBufferMs).toEqual(expect.any(Number));
    expect(live?.measurement?.jitterMs).toEqual(expect.any(Number));
  });

  it('switches device while capturing when the user chooses another one', async () => {
    const { audio } = await engine([SHARED_AUDIO.jfk, SHARED_AUDIO.heyJane]);
    const first = await audio.start('test');
    const other = first.device?.name === 'jfk.wav' ? 'WAV file:hey_jane.wav' : 'WAV file:jfk.wav';
    await audio.choose(other);
    expect(audio.status).toMatchObject({ state: 'capturing', device: { id: other, reason: 'your choice' } });
    await audio.stop('test');
  });
});
