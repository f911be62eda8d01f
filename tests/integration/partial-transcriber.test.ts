// Live partial transcripts of a growing utterance (real tiny model, jfk.wav arriving at twice real time): stable prefixes, skipped ticks, cache reuse.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWavFile } from '../../src/main/audio/wav';
import { EncoderCache } from '../../src/main/worker/asr/encoder-cache';
import { PartialTranscriber, type PartialUpdate } from '../../src/main/worker/asr/partial-transcriber';
import { SpeechRecognizer, type TranscribeOptions } from '../../src/main/worker/asr/speech-recognizer';
import { WhisperModel } from '../../src/main/worker/asr/whisper-model';
import { resolveWhisperModel } from '../../src/main/worker/asr/whisper-registry';
import { ModelLoader } from '../../src/main/worker/models/model-loader';
import { PRESETS } from '../../src/shared/profiles';
import { SHARED_AUDIO } from '../support/shared-audio';
import { normaliseText } from '../support/wer';

const BALANCED = PRESETS[0]!;
const OPTIONS: TranscribeOptions = {
  language: 'auto',
  task: 'transcribe',
  timestamps: false,
  beamSize: 1,
  temperatures: BALANCED.decoding.temperatures,
  compressionRatioThreshold: BALANCED.decoding.compressionRatioThreshold,
  logProbThreshold: BALANCED.decoding.logProbThreshold,
  noSpeechThreshold: BALANCED.decoding.noSpeechThreshold,
};
const FRAME = 1280;
const SPEED = 2;

let model: WhisperModel;
let jfk: Float32Array;
beforeAll(async () => {
  model = await WhisperModel.load(resolveWhisperModel('tiny'), new ModelLoader(), { threads: 2, fitWindow: true });
  jfk = (await decodeWavFile(SHARED_AUDIO.jfk)).samples;
}, 60_000);
afterAll(() => model?.release());

describe('PartialTranscriber', () => {
  it('streams partials whose stable prefix is always the start of the latest hypothesis and converges on the final text, which is the last partial itself', async () => {
    const updates: PartialUpdate[] = [];
    const partials = new PartialTranscriber(new SpeechRecognizer(model, new EncoderCache(8)), OPTIONS, (u) =>
      updates.push(u),
    );
    const intervalFrames = Math.round(BALANCED.partialIntervalMs / 80);
    let ticks = 0;
    const started = performance.now();
    for (let f = 0; f * FRAME < jfk.length; f++) {
      partials.append(jfk.subarray(f * FRAME, (f + 1) * FRAME));
      if ((f + 1) % intervalFrames === 0) {
        partials.tick();
        ticks++;
      }
      // Audio arrives at twice real time; partials run meanwhile.
      const due = started + ((f + 1) * 80) / SPEED;
      await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
    }
    // The utterance ends: once the running partial is done, one more on everything, then the final pass.
    await partials.whenIdle();
    partials.tick();
    ticks++;
    const final = await partials.finish();

    const { stats } = partials;
    expect(stats.partials + stats.skippedBusy + stats.skippedIdle).toBe(ticks);
    expect(stats.partials).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < updates.length; i++) {
      // Stable words are the ones two hypotheses agreed on; a later hypothesis over more audio may
      // take some back, but the stable part is never longer than what the latest one agrees with.
      const before = normaliseText(updates[i - 1]!.stable);
      const now = normaliseText(updates[i]!.stable);
      const kept = now.slice(0, before.length);
      expect(before.slice(0, kept.length), `${before.join(' ')} → ${now.join(' ')}`).toEqual(kept);
      expect(updates[i]!.audioS).toBeGreaterThan(updates[i - 1]!.audioS);
    }
    const finalWords = normaliseText(final.text);
    expect(finalWords.join(' ')).toContain('ask not what your country can do for you');
    const last = updates.at(-1)!;
    // The last partial covered all the audio: it is the final text, and its stable part a prefix of it.
    expect(last.audioS).toBeCloseTo(jfk.length / 16000, 1);
    expect(normaliseText(`${last.stable} ${last.unstable}`)).toEqual(finalWords);
    expect(finalWords.slice(0, normaliseText(last.stable).length)).toEqual(normaliseText(last.stable));
    expect(normaliseText(last.stable).length).toBeGreaterThan(5);
    // No audio arrived after the last partial, which passed the fallback checks: it is the final.
    expect(stats.finalReused).toBe(true);
    expect(normaliseText(final.text)).toEqual(normaliseText(`${last.stable} ${last.unstable}`));
  });

  it('runs a final pass that cannot reuse the last greedy partial (beam search) on the cached encoder output', async () => {
    const partials = new PartialTranscriber(
      new SpeechRecognizer(model, new EncoderCache(8)),
      { ...OPTIONS, language: 'en', beamSize: 3 },
      () => undefined,
    );
    partials.append(jfk.subarray(0, 16000 * 4));
    partials.tick(); // a greedy partial on everything heard; then the key goes up
    await partials.whenIdle();
    expect(partials.stats.partials).toBe(1);
    const final = await partials.finish();
    expect(partials.stats.finalReused).toBe(false);
    expect(final.cache).toEqual({ encoderHits: 1, encoderMisses: 0 });
    expect(normaliseText(final.text).slice(0, 4)).toEqual(['and', 'so', 'my', 'fellow']);
  });

  it("makes the pass at a pause with the final's own options (beam search here), so an utterance that ends there needs no other", async () => {
    const recognizer = new SpeechRecognizer(model, new EncoderCache(8));
    const options = { ...OPTIONS, language: 'en', beamSize: 3 };
    const partials = new PartialTranscriber(recognizer, options, () => undefined);
    partials.append(jfk.subarray(0, 16000 * 4));
    // Speech pauses: a pass starts on everything heard, as it would while the silence hang-over runs.
    partials.append(new Float32Array(FRAME), false);
    const final = await partials.finish();
    expect(partials.stats).toMatchObject({ partials: 1, finalReused: true });
    // The same as a final pass of its own on that audio.
    const alone = await new SpeechRecognizer(model, new EncoderCache(1)).transcribe(
      jfk.subarray(0, 16000 * 4),
      options,
    );
    expect(final.text).toBe(alone.text);
  });

  it('reuses the pass made at a pause when only silence came after it, even frames the VAD still called voiced', async () => {
    const recognizer = new SpeechRecognizer(model, new EncoderCache(8));
    const options = { ...OPTIONS, language: 'en' };
    const partials = new PartialTranscriber(recognizer, options, () => undefined);
    partials.append(jfk.subarray(0, 16000 * 4));
    partials.append(new Float32Array(FRAME), false); // the pause's pass…
    await partials.whenIdle();
    partials.append(new Float32Array(FRAME * 2), true); // …then two silent frames the VAD held as speech
    const final = await partials.finish();
    expect(partials.stats).toMatchObject({ partials: 1, finalReused: true });
    const alone = await new SpeechRecognizer(model, new EncoderCache(1)).transcribe(
      new Float32Array([...jfk.subarray(0, 16000 * 4), ...new Float32Array(FRAME * 3)]),
      options,
    );
    expect(final.text).toBe(alone.text);
    expect(final.windowTokens).toEqual(alone.windowTokens);
  });

  it('still makes the pause pass when a greedy partial on the same audio cannot stand for the final', async () => {
    const options = { ...OPTIONS, language: 'en', beamSize: 3 };
    const partials = new PartialTranscriber(new SpeechRecognizer(model, new EncoderCache(8)), options, () => undefined);
    partials.append(jfk.subarray(0, 16000 * 4));
    partials.tick(); // a greedy partial on everything heard…
    await partials.whenIdle();
    partials.append(new Float32Array(FRAME), false); // …then speech pauses, with nothing new heard
    await partials.whenIdle();
    expect(partials.stats).toMatchObject({ partials: 2, skippedIdle: 0 });
    const final = await partials.finish();
    expect(partials.stats.finalReused).toBe(true);
    expect(final.cache).toEqual({ encoderHits: 1, encoderMisses: 0 });

    // A greedy partial that settled is the final already (Balanced): no pass at the pause.
    const greedy = new PartialTranscriber(new SpeechRecognizer(model, new EncoderCache(8)), OPTIONS, () => undefined);
    greedy.append(jfk.subarray(0, 16000 * 4));
    greedy.tick();
    await greedy.whenIdle();
    greedy.append(new Float32Array(FRAME), false);
    await greedy.whenIdle();
    expect(greedy.stats).toMatchObject({ partials: 1, skippedIdle: 1 });
    await greedy.finish();
    expect(greedy.stats.finalReused).toBe(true);
  });

  it("runs the partial after one that failed the fallback checks with the final's options, so a release with nothing new heard reuses it", async () => {
    // A log-probability threshold of 0 fails every pass: greedy alone can never stand for the final.
    const options = { ...OPTIONS, language: 'en', logProbThreshold: 0 };
    const partials = new PartialTranscriber(new SpeechRecognizer(model, new EncoderCache(8)), options, () => undefined);
    partials.append(jfk.subarray(0, 16000 * 2));
    partials.tick(); // greedy: it fails the checks…
    await partials.whenIdle();
    partials.append(jfk.subarray(16000 * 2, 16000 * 4));
    partials.tick(); // …so this one runs the whole ladder, as the final would
    await partials.whenIdle();
    expect(partials.stats).toMatchObject({ partials: 2 });
    const final = await partials.finish(); // the key goes up with nothing new heard
    expect(partials.stats.finalReused).toBe(true);
    const alone = await new SpeechRecognizer(model, new EncoderCache(1)).transcribe(
      jfk.subarray(0, 16000 * 4),
      options,
    );
    expect(alone.settled).toBe(false);
    expect(final.windowTokens).toEqual(alone.windowTokens);
    expect(final.text).toBe(alone.text);
  });

  it('stops a pause pass when speech goes on, instead of finishing work that is stale', async () => {
    const partials = new PartialTranscriber(
      new SpeechRecognizer(model, new EncoderCache(8)),
      { ...OPTIONS, language: 'en', beamSize: 3 },
      () => undefined,
    );
    partials.append(jfk.subarray(0, 16000 * 4));
    partials.append(new Float32Array(FRAME), false); // a pause: a beam-search pass starts…
    partials.append(jfk.subarray(16000 * 4, 16000 * 4 + FRAME)); // …and speech resumes at once
    await partials.whenIdle();
    expect(partials.stats).toMatchObject({ stopped: 1, partials: 0 });
  });

  it('stops a running partial that covers less audio than the final pass needs, instead of waiting for it', async () => {
    const partials = new PartialTranscriber(
      new SpeechRecognizer(model, new EncoderCache(8)),
      { ...OPTIONS, language: 'en' },
      () => undefined,
    );
    partials.append(jfk.subarray(0, 16000 * 4));
    partials.tick(); // a partial on 4 s starts…
    partials.append(jfk.subarray(16000 * 4, 16000 * 6)); // …and more speech arrives: the key is released now
    const final = await partials.finish();
    expect(partials.stats).toMatchObject({ stopped: 1, finalReused: false });
    expect(normaliseText(final.text).join(' ')).toContain('fellow americans ask not');
  });
});
