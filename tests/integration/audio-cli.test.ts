// `devices` and `record` through real naudiodon/PortAudio and ALSA virtual microphones.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeWav } from '../../src/main/audio/wav';
import { VirtualAudio, toneSamples } from '../support/alsa';
import { runCli } from '../support/cli-process';
import { dbfs, rms, toneFrequency } from '../support/wav-analysis';

let audio: VirtualAudio | undefined;
afterEach(() => {
  audio?.dispose();
  audio = undefined;
});

const STEREO_44K = { rate: 44100, channels: 2 };

function machine(): VirtualAudio {
  audio = new VirtualAudio();
  return audio;
}

describe('earshot devices', () => {
  it('lists virtual microphones ranked, excludes unusable ones, and says which it would use', async () => {
    const a = machine()
      .addFileMic('tonemic', STEREO_44K, toneSamples(STEREO_44K, 1000, 0.5, 1), 'Microphone, 44.1 kHz stereo')
      .addFileMic('monomic', { rate: 16000, channels: 1 }, toneSamples({ rate: 16000, channels: 1 }, 440, 0.5, 1))
      .addBrokenMic('brokenmic', { rate: 48000, channels: 1 })
      .write();
    const { code, stdout, stderr } = await runCli(['devices', '--json'], a.env);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout) as {
      devices: {
        id: string;
        name: string;
        hostApi: string;
        rank: number | null;
        maxInputChannels: number;
        note: string;
      }[];
      selected: { id: string; name: string; reason: string };
    };
    const byName = new Map(report.devices.map((d) => [d.name, d]));
    expect(byName.get('tonemic')).toMatchObject({
      id: 'ALSA:tonemic',
      hostApi: 'ALSA',
      rank: expect.any(Number) as unknown,
    });
    expect(byName.get('brokenmic')).toMatchObject({
      rank: null,
      maxInputChannels: 0,
      note: expect.stringMatching(/^excluded/) as unknown,
    });
    for (const key of ['defaultSampleRate', 'defaultLowInputLatency', 'defaultHighInputLatency']) {
      expect(byName.get('tonemic')).toHaveProperty(key);
    }
    const first = report.devices.find((d) => d.rank === 1);
    expect(report.selected).toMatchObject({
      id: first?.id,
      reason: expect.stringMatching(/^first in the ranking: no device reports its latency/) as unknown,
    });
  });

  it('measures devices on request and ranks by the measurement', async () => {
    const a = machine()
      .addFileMic('tonemic', STEREO_44K, toneSamples(STEREO_44K, 1000, 0.5, 3))
      .write();
    const { code, stdout } = await runCli(['devices', '--json', '--measure'], a.env);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as {
      devices: { name: string; measurement: { firstBufferMs: number | null } | null; note: string }[];
    };
    const tone = report.devices.find((d) => d.name === 'tonemic');
    expect(tone?.measurement?.firstBufferMs).toEqual(expect.any(Number));
    expect(tone?.note).toMatch(/^measure/);
  });

  it('exits 1 with one line when there is no microphone', async () => {
    const a = machine().write();
    const { code, stdout, stderr } = await runCli(['devices', '--json'], a.env);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual({ devices: [], selected: null });
    expect(stderr).toMatch(/^earshot: no usable microphone found/m);
  });
});

describe('earshot record', () => {
  it('turns a 44.1 kHz stereo 1 kHz tone into 16 kHz mono at 1 kHz and the right level', async () => {
    const a = machine()
      .addFileMic('tonemic', STEREO_44K, toneSamples(STEREO_44K, 1000, 0.5, 3))
      .write();
    const out = join(a.home, 'tone.wav');
    const { code, stdout, stderr } = await runCli(
      ['record', '--device', 'tonemic', '--seconds', '2', '--out', out, '--json'],
      a.env,
    );
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ out, seconds: 2, device: 'tonemic', sampleRate: 44100, channels: 2 });
    const wav = decodeWav(readFileSync(out), out);
    expect(wav).toMatchObject({ sampleRate: 16000, channels: 1, bitsPerSample: 16, frames: 32000 });
    const steady = wav.samples.subarray(1600); // skip the resampler's start-up
    expect(toneFrequency(steady, 16000)).toBeCloseTo(1000, -1);
    expect(dbfs(rms(steady))).toBeCloseTo(dbfs(0.5 / Math.SQRT2), 1);
  });

  it('falls back to a supported rate when the device refuses the requested one, and still resamples correctly', async () => {
    const a = machine()
      .addFileMic('tonemic', STEREO_44K, toneSamples(STEREO_44K, 1000, 0.5, 3))
      .write();
    const out = join(a.home, 'fallback.wav');
    const { code, stdout, stderr } = await runCli(
      ['record', '--device', 'tone', '--device-rate', '1000', '--seconds', '1', '--out', out, '--json'],
      a.env,
    );
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ sampleRate: 44100 });
    expect(stderr).toMatch(/opened at 44100 Hz \(1000 Hz: .*Invalid sample rate/);
    const wav = decodeWav(readFileSync(out), out);
    expect(toneFrequency(wav.samples.subarray(1600), 16000)).toBeCloseTo(1000, -1);
  });

  it('refuses an unusable device with a one-line reason (exit 1) and an unknown one as a usage error (exit 2)', async () => {
    const a = machine()
      .addFileMic('tonemic', STEREO_44K, toneSamples(STEREO_44K, 1000, 0.5, 1))
      .addBrokenMic('brokenmic', { rate: 48000, channels: 1 })
      .write();
    const out = join(a.home, 'x.wav');
    const broken = await runCli(['record', '--device', 'brokenmic', '--seconds', '1', '--out', out], a.env);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^earshot: "brokenmic" cannot be used as a microphone \(no input channels/m);
    const unknown = await runCli(['record', '--device', 'nope', '--seconds', '1', '--out', out], a.env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no input device matches "nope" (available: "tonemic")');
  });

  it('fails with a clear sentence when there is no microphone at all', async () => {
    const a = machine().write();
    const { code, stderr } = await runCli(['record', '--seconds', '1', '--out', join(a.home, 'x.wav')], a.env);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^earshot: Earshot found no microphone\. Connect one/m);
  });
});
