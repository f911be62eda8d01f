// Streaming Silero VAD and its energy gate on generated speech with known boundaries (espeak-ng, flite, festival + sox), on silence and noise, and on a real recording.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWavFile } from '../../../src/main/audio/wav';
import { ModelLoader } from '../../../src/main/worker/models/model-loader';
import { EnergyGate } from '../../../src/main/worker/vad/energy-gate';
import { scanForSpeech } from '../../../src/main/worker/vad/scan-file';
import { type VadEvent, type VadSettings, VoiceActivity } from '../../../src/main/worker/vad/voice-activity';
import { findPreset } from '../../../src/shared/profiles';
import { SHARED_AUDIO } from '../../support/shared-audio';
import { SpeechGenerator, type SpeechClip, type TtsVoice } from '../../support/tts-speech';
import { concatSamples } from '../../support/samples';

const RATE = 16000;
const FRAME = 1280;
const CHUNK = 512;
/** One Silero chunk (32 ms), with room for floating-point rounding. */
const CHUNK_S = CHUNK / RATE + 1e-9;
const TOLERANCE_S = 0.1;
const BALANCED: VadSettings = findPreset('balanced')!.vad;

const VOICES: TtsVoice[] = ['espeak-en-us', 'espeak-en-us-f3', 'flite-slt', 'flite-kal', 'flite-rms', 'festival-kal'];
const FIRST = 'Please turn on the kitchen lights';
const SECOND = 'Remind me to buy bread tomorrow';

let dir: string;
let speech: SpeechGenerator;
let vad: VoiceActivity;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-vad-'));
  speech = new SpeechGenerator(dir);
  vad = await VoiceActivity.create({ threads: 1, loader: new ModelLoader() });
  // Every phrase once, in parallel (festival is the slow one).
  await Promise.all([
    ...VOICES.flatMap((voice) => [speech.phrase(voice, FIRST), speech.phrase(voice, SECOND)]),
    speech.phrase('flite-slt', 'Yes'),
  ]);
}, 60_000);

afterAll(async () => {
  await vad?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function configured(settings: Partial<VadSettings> = {}): VoiceActivity {
  vad.configure({ ...BALANCED, ...settings });
  return vad;
}

function twoPhrases(voice: TtsVoice, noise_dbfs?: number, pause_s = 1.5): Promise<SpeechClip> {
  return speech.compose(
    [{ silence_s: 1 }, { say: FIRST, voice }, { silence_s: pause_s }, { say: SECOND, voice }, { silence_s: 1 }],
    { noise_dbfs },
  );
}

/** Streams `samples` in frames of `frame` samples and collects the events with the time they were emitted. */
async function stream(samples: Float32Array, frame: number, onFrame?: (end_s: number) => void) {
  vad.reset();
  const events: (VadEvent & { emitted_s: number })[] = [];
  for (let at = 0; at < samples.length; at += frame) {
    const end = Math.min(samples.length, at + frame);
    onFrame?.(end / RATE);
    for (const event of (await vad.process(samples.subarray(at, end))).events)
      events.push({ ...event, emitted_s: end / RATE });
  }
  return events;
}

function noise(seconds: number, dbfs: number): Float32Array {
  // A fixed LCG: the same "room" every run.
  let state = 12345;
  const out = new Float32Array(Math.round(seconds * RATE));
  const scale = 10 ** (dbfs / 20) * Math.sqrt(3);
  for (let i = 0; i < out.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = (state / 2 ** 32 - 0.5) * 2 * scale;
  }
  return out;
}

describe('VoiceActivity on generated speech', () => {
  const cases = VOICES.flatMap((voice) => [
    { voice, noise: undefined },
    { voice, noise: -45 },
  ]);

  it.each(cases)('finds both phrases within ±100 ms: $voice, noise $noise dBFS', async ({ voice, noise }) => {
    const clip = await twoPhrases(voice, noise);
    const plain = await scanForSpeech(clip.samples, configured());
    expect(plain.segments).toHaveLength(2);
    plain.segments.forEach((segment, i) => {
      const truth = clip.speech[i]!;
      expect(Math.abs(segment.start_s - truth.start_s), `start of "${truth.text}"`).toBeLessThanOrEqual(TOLERANCE_S);
      expect(Math.abs(segment.end_s - truth.end_s), `end of "${truth.text}"`).toBeLessThanOrEqual(TOLERANCE_S);
    });
    expect(plain.modelRuns).toBe(Math.floor(clip.samples.length / CHUNK));

    // The gate skips some silence but must not move a boundary by more than a chunk.
    const gated = await scanForSpeech(clip.samples, configured(), new EnergyGate());
    expect(gated.segments).toHaveLength(2);
    gated.segments.forEach((segment, i) => {
      expect(Math.abs(segment.start_s - plain.segments[i]!.start_s)).toBeLessThanOrEqual(CHUNK_S);
      expect(Math.abs(segment.end_s - plain.segments[i]!.end_s)).toBeLessThanOrEqual(CHUNK_S);
    });
    expect(gated.modelRuns).toBeLessThan(plain.modelRuns);
  });

  it('emits events once confirmed, dated when speech began and when silence began', async () => {
    const clip = await twoPhrases('flite-slt');
    const events = await stream(clip.samples, FRAME);
    expect(events.map((e) => e.type)).toEqual(['speech-start', 'speech-end', 'speech-start', 'speech-end']);
    for (const event of events) {
      const lag = event.emitted_s - event.time_s;
      if (event.type === 'speech-start') {
        expect(lag).toBeGreaterThanOrEqual(BALANCED.minSpeechMs / 1000);
        expect(lag).toBeLessThan(BALANCED.minSpeechMs / 1000 + 0.15);
      } else {
        expect(lag).toBeGreaterThanOrEqual(BALANCED.silenceHangoverMs / 1000);
        expect(lag).toBeLessThan(BALANCED.silenceHangoverMs / 1000 + 0.25);
      }
    }
  });

  it('gives the same segments whatever the frame size, and when calls are not awaited', async () => {
    const clip = await twoPhrases('espeak-en-us', -45);
    configured();
    const reference = (await stream(clip.samples, FRAME)).map(({ type, time_s }) => ({ type, time_s }));
    expect(reference).toHaveLength(4);
    for (const frame of [2560, 1000, 16000, 333]) {
      const events = (await stream(clip.samples, frame)).map(({ type, time_s }) => ({ type, time_s }));
      expect(events, `frames of ${frame}`).toEqual(reference);
    }
    vad.reset();
    const pending: Promise<{ events: VadEvent[] }>[] = [];
    for (let at = 0; at < clip.samples.length; at += FRAME)
      pending.push(vad.process(clip.samples.subarray(at, at + FRAME)));
    expect((await Promise.all(pending)).flatMap((r) => r.events)).toEqual(reference);
  });

  it('applies settings live: a longer hang-over set mid-phrase merges two phrases across a short pause', async () => {
    const clip = await twoPhrases('espeak-en-us-f3', undefined, 0.8);
    const short = await scanForSpeech(clip.samples, configured({ silenceHangoverMs: 300 }));
    expect(short.segments).toHaveLength(2);

    configured({ silenceHangoverMs: 300 });
    let changed = false;
    // Two more seconds of silence, so the 1.5 s hang-over runs out before the stream ends.
    const events = await stream(concatSamples(clip.samples, new Float32Array(2 * RATE)), FRAME, () => {
      if (!changed && vad.speaking) {
        vad.configure({ ...BALANCED, silenceHangoverMs: 1500 });
        changed = true;
      }
    });
    expect(changed).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['speech-start', 'speech-end']);
    expect(events[0]!.time_s).toBeCloseTo(short.segments[0]!.start_s, 6);
    expect(Math.abs(events[1]!.time_s - clip.speech[1]!.end_s)).toBeLessThanOrEqual(TOLERANCE_S);
  });

  it('drops bursts shorter than minSpeechMs', async () => {
    const clip = await speech.compose([{ silence_s: 1 }, { say: 'Yes', voice: 'flite-slt' }, { silence_s: 1 }]);
    const length = clip.speech[0]!.end_s - clip.speech[0]!.start_s;
    expect(length).toBeLessThan(0.6);
    expect((await scanForSpeech(clip.samples, configured({ minSpeechMs: 100 }))).segments).toHaveLength(1);
    expect((await scanForSpeech(clip.samples, configured({ minSpeechMs: 1000 }))).segments).toHaveLength(0);
  });

  it('closes a segment still open at the end of the file at the end of the file', async () => {
    const phrase = await speech.phrase('flite-slt', FIRST);
    const samples = concatSamples(new Float32Array(RATE), phrase.subarray(0, Math.round(phrase.length * 0.6)));
    const scan = await scanForSpeech(samples, configured());
    expect(scan.segments).toHaveLength(1);
    expect(Math.abs(scan.segments[0]!.start_s - 1)).toBeLessThanOrEqual(TOLERANCE_S);
    expect(scan.segments[0]!.end_s).toBe(samples.length / RATE);
  });
});

describe('VoiceActivity on silence and noise', () => {
  it.each([
    ['digital silence', new Float32Array(10 * RATE)],
    ['white noise at −60 dBFS', noise(10, -60)],
    ['white noise at −45 dBFS', noise(10, -45)],
  ])('finds no speech in %s', async (_name, samples) => {
    expect((await scanForSpeech(samples, configured())).segments).toEqual([]);
    expect((await scanForSpeech(samples, configured(), new EnergyGate())).segments).toEqual([]);
  });

  it('keeps the model off during silence with the gate, and finds the same speech', async () => {
    const phrase = await speech.compose([{ say: FIRST, voice: 'festival-kal' }]);
    const samples = concatSamples(noise(20, -60), phrase.samples, noise(20, -60));
    const chunks = Math.floor(samples.length / CHUNK);
    const plain = await scanForSpeech(samples, configured());
    const gated = await scanForSpeech(samples, configured(), new EnergyGate());
    expect(plain.modelRuns).toBe(chunks);
    expect(gated.modelRuns).toBeLessThan(chunks * 0.15);
    // After a long gated silence the LSTM restarts from zero (and a second of warm-up), so a
    // boundary may move by a chunk or two; both must still be right.
    for (const scan of [plain, gated]) {
      expect(scan.segments).toHaveLength(1);
      expect(Math.abs(scan.segments[0]!.start_s - 20)).toBeLessThanOrEqual(TOLERANCE_S);
      expect(Math.abs(scan.segments[0]!.end_s - (20 + phrase.duration_s))).toBeLessThanOrEqual(TOLERANCE_S);
    }
    expect(Math.abs(gated.segments[0]!.start_s - plain.segments[0]!.start_s)).toBeLessThanOrEqual(2 * CHUNK_S);
    expect(Math.abs(gated.segments[0]!.end_s - plain.segments[0]!.end_s)).toBeLessThanOrEqual(2 * CHUNK_S);
  });

  it('finds the speech in a real recording (shared/audio/jfk.wav) with or without the gate', async () => {
    const wav = await decodeWavFile(SHARED_AUDIO.jfk);
    const plain = await scanForSpeech(wav.samples, configured());
    expect(plain.segments.length).toBeGreaterThanOrEqual(1);
    expect(plain.segments.length).toBeLessThanOrEqual(4);
    // "And so my fellow Americans … for your country." runs from about 0.3 s to 10.4 s.
    expect(plain.segments[0]!.start_s).toBeGreaterThan(0.1);
    expect(plain.segments[0]!.start_s).toBeLessThan(0.5);
    expect(plain.segments.at(-1)!.end_s).toBeGreaterThan(10);
    const covered = plain.segments.reduce((s, seg) => s + seg.end_s - seg.start_s, 0);
    expect(covered).toBeGreaterThan(7);
    expect((await scanForSpeech(wav.samples, configured(), new EnergyGate())).segments).toEqual(plain.segments);
  });
});

describe('EnergyGate', () => {
  function gateFrames(samples: Float32Array, gate = new EnergyGate()): boolean[] {
    const open: boolean[] = [];
    for (let at = 0; at + FRAME <= samples.length; at += FRAME)
      open.push(gate.process(samples.subarray(at, at + FRAME)));
    return open;
  }

  it.each([
    ['digital silence', new Float32Array(30 * RATE)],
    ['a quiet room (−60 dBFS)', noise(30, -60)],
    ['a very quiet room (−75 dBFS)', noise(30, -75)],
  ])('stays closed in %s', (_name, samples) => {
    expect(gateFrames(samples).filter(Boolean)).toHaveLength(0);
  });

  it('opens on the first frame of soft speech (−35 dBFS) in a quiet room', async () => {
    for (const voice of ['espeak-en-us', 'flite-slt', 'festival-kal'] as const) {
      const phrase = await speech.compose([{ say: FIRST, voice, level_dbfs: -35 }]);
      // Speech begins with frame 62.
      const lead = noise(5, -60).subarray(0, 62 * FRAME);
      const open = gateFrames(concatSamples(lead, phrase.samples, noise(2, -60)));
      expect(open.slice(0, 62).some(Boolean), voice).toBe(false);
      expect(open[62], voice).toBe(true);
    }
  });

  it('learns a louder room: a fan switched on opens it, and it closes again within 10 s', () => {
    const open = gateFrames(concatSamples(noise(5, -60), noise(20, -40)));
    const step = Math.floor((5 * RATE) / FRAME);
    expect(open[step + 1]).toBe(true);
    const lastOpen = open.lastIndexOf(true);
    expect(((lastOpen - step) * FRAME) / RATE).toBeLessThan(10);
    expect(open.slice(lastOpen + 1).length).toBeGreaterThan(100);
  });
});
