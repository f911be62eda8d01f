// Drafts checked in one decoder run (real tiny model): the per-token quantized decoder gives a row of a many-token run what it gives that token alone, a final pass over a partial's draft gives exactly plain greedy decoding's tokens with fewer decoder runs, and decoding ends where the audio does.
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWavFile } from '../../src/main/audio/wav';
import { DRAFT_TRUST_MARGIN } from '../../src/main/worker/asr/decoding';
import { EncoderCache } from '../../src/main/worker/asr/encoder-cache';
import { LogMelSpectrogram } from '../../src/main/worker/asr/log-mel';
import { SpeechRecognizer, type TranscribeOptions } from '../../src/main/worker/asr/speech-recognizer';
import { WhisperModel } from '../../src/main/worker/asr/whisper-model';
import { resolveWhisperModel } from '../../src/main/worker/asr/whisper-registry';
import { ModelLoader, packagedModels } from '../../src/main/worker/models/model-loader';
import { SILERO_VAD } from '../../src/main/worker/models/model-manifest';
import { rowQuantizedDecoderModel } from '../../src/main/worker/asr/row-quantization';
import { PRESETS } from '../../src/shared/profiles';
import { SHARED_AUDIO } from '../support/shared-audio';
import { SpeechGenerator, type TtsVoice } from '../support/tts-speech';

const BALANCED = PRESETS[0]!.decoding;

/** The index of the largest logit, and how far it leads the next. */
function topTwo(row: Float32Array): [number, number] {
  let best = 0;
  let second = -Infinity;
  for (let v = 1; v < row.length; v++) {
    const x = row[v] as number;
    if (x > (row[best] as number)) {
      second = row[best] as number;
      best = v;
    } else if (x > second) second = x;
  }
  return [best, (row[best] as number) - second];
}
/** Plain greedy decoding: temperature 0 only, so a result is the decoder's argmax path. */
const GREEDY: TranscribeOptions = {
  language: 'en',
  task: 'transcribe',
  timestamps: false,
  beamSize: 1,
  temperatures: [0],
  compressionRatioThreshold: BALANCED.compressionRatioThreshold,
  logProbThreshold: BALANCED.logProbThreshold,
  noSpeechThreshold: BALANCED.noSpeechThreshold,
};
const COMMANDS: { voice: TtsVoice; text: string }[] = [
  { voice: 'flite-slt', text: 'close all the windows and lock the front door' },
  { voice: 'flite-rms', text: 'remind me to buy milk and bread on the way home from work' },
  { voice: 'festival-kal', text: 'open the calendar and show me my appointments for next week' },
];

let model: WhisperModel;
let dir: string;
const clips: { name: string; samples: Float32Array; text?: string }[] = [];

beforeAll(async () => {
  model = await WhisperModel.load(resolveWhisperModel('tiny'), new ModelLoader(), { threads: 2, fitWindow: true });
  dir = mkdtempSync(join(tmpdir(), 'earshot-drafts-'));
  const speech = new SpeechGenerator(dir);
  clips.push({ name: 'jfk.wav', samples: (await decodeWavFile(SHARED_AUDIO.jfk)).samples });
  for (const c of COMMANDS)
    clips.push({
      name: c.voice,
      text: c.text,
      samples: (await speech.compose([{ say: c.text, voice: c.voice }])).samples,
    });
}, 120_000);
afterAll(async () => {
  await model?.release();
  rmSync(dir, { recursive: true, force: true });
});

describe('drafts', () => {
  it('refuses a decoder it cannot edit with a clear error (the model then loads unedited, without drafts)', async () => {
    const vad = await readFile(packagedModels.pathOf(SILERO_VAD));
    expect(() => rowQuantizedDecoderModel(new Uint8Array([1, 2, 3]))).toThrow(
      expect.objectContaining({ code: 'ModelIntegrityError' }),
    );
    expect(() => rowQuantizedDecoderModel(vad)).toThrow(/no DynamicQuantizeLinear|opset/);
  });

  it('the decoder quantizes each token on its own: rows of a many-token run match tokens run one at a time', async () => {
    expect(model.rowsIndependent).toBe(true);
    const recognizer = new SpeechRecognizer(model, new EncoderCache(4));
    const { windowTokens } = await recognizer.transcribe(clips[0]!.samples, GREEDY);
    const tokens = windowTokens[0]!;
    const start = model.tokenizer.promptIds({ language: 'en', task: 'transcribe', timestamps: true });
    const vocab = model.dims.vocabSize;
    const frames = 1400; // jfk's bucketed window
    const encoded = await model.encode(new LogMelSpectrogram().compute(clips[0]!.samples, frames), frames);
    const batch = await model.decoder.run([...start, ...tokens], encoded, null);
    let step = await model.decoder.run(start, encoded, null);
    let worst = 0;
    for (let i = 0; i <= tokens.length; i++) {
      const alone = step.logits.subarray(
        (i === 0 ? start.length - 1 : 0) * vocab,
        (i === 0 ? start.length : 1) * vocab,
      );
      const row = batch.logits.subarray((start.length - 1 + i) * vocab, (start.length + i) * vocab);
      for (let v = 0; v < vocab; v++) worst = Math.max(worst, Math.abs((row[v] as number) - (alone[v] as number)));
      // What draft checking relies on: the run's row picks the token the one-at-a-time row picks,
      // or its lead is too small to be trusted (decoding.ts then computes that row alone).
      const [best, lead] = topTwo(row);
      if (lead >= DRAFT_TRUST_MARGIN) expect(best, `token ${i}`).toBe(topTwo(alone)[0]);
      if (i < tokens.length) step = await model.decoder.run([tokens[i]!], encoded, step.cache);
    }
    // The export's per-tensor quantization moved rows by up to 3 logits; per token, only float
    // rounding and its knock-on effects remain.
    expect(worst).toBeLessThan(1);
  }, 60_000);

  it("a final pass over a partial's draft gives exactly plain greedy decoding's tokens, in fewer decoder runs", async () => {
    const recognizer = new SpeechRecognizer(model, new EncoderCache(8));
    let runs = { plain: 0, verified: 0 };
    for (const clip of clips) {
      const plain = await recognizer.transcribe(clip.samples, GREEDY);
      // A partial half a second behind, as at a key release.
      const partial = await recognizer.transcribe(clip.samples.subarray(0, clip.samples.length - 8000), GREEDY);
      const verified = await recognizer.transcribe(clip.samples, { ...GREEDY, drafts: partial.windowTokens });
      expect(verified.windowTokens, clip.name).toEqual(plain.windowTokens);
      expect(verified.text, clip.name).toBe(plain.text);
      expect(verified.decoderRuns, clip.name).toBeLessThanOrEqual(plain.decoderRuns);
      runs = { plain: runs.plain + plain.decoderRuns, verified: runs.verified + verified.decoderRuns };
    }
    expect(runs.verified).toBeLessThan(runs.plain * 0.75);
  }, 120_000);

  it('rejoins a draft after a word it got wrong, and still gives exactly plain greedy decoding', async () => {
    const recognizer = new SpeechRecognizer(model, new EncoderCache(8));
    const clip = clips[0]!; // jfk.wav: 22 words
    const plain = await recognizer.transcribe(clip.samples, GREEDY);
    const tokens = plain.windowTokens[0]!;
    // A partial that heard the third token as something else and the rest right.
    const wrong = model.tokenizer.encode(' banana')[0]!;
    const draft = tokens.map((t, i) => (i === 3 ? wrong : t));
    const verified = await recognizer.transcribe(clip.samples, { ...GREEDY, drafts: [draft] });
    expect(verified.windowTokens).toEqual(plain.windowTokens);
    // Checked up to the wrong token, two tokens decoded alone, then the rest checked again in one
    // run: a handful of runs (plain greedy: one per token).
    expect(verified.draftAccepted).toBeGreaterThanOrEqual(tokens.length - 4);
    expect(verified.decoderRuns).toBeLessThanOrEqual(7);
    expect(plain.decoderRuns).toBeGreaterThan(tokens.length);
  }, 60_000);

  it('decodes a short command in about as many tokens as its text, not into the silence after it', async () => {
    const recognizer = new SpeechRecognizer(model, new EncoderCache(4));
    for (const clip of clips.slice(1)) {
      const result = await recognizer.transcribe(clip.samples, GREEDY);
      const textTokens = model.tokenizer.encode(` ${result.text}`).length;
      // Text, the opening and closing timestamps, nothing decoded past the end of the audio.
      expect(result.tokens, `${clip.name}: ${result.text}`).toBeLessThanOrEqual(textTokens + 8);
      expect(result.decoderRuns, clip.name).toBeLessThanOrEqual(textTokens + 8);
    }
  }, 60_000);
});
