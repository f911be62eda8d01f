// Several hypotheses decoded in one batched decoder run (real tiny model, jfk.wav): each row of a batched step is what that hypothesis gives run alone, and beam search and the fallback ladder's temperatures decoded together give each temperature's result decoded alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from 'onnxruntime-node';
import { decodeWavFile } from '../../src/main/audio/wav';
import { decodeTogether, decodeWindow } from '../../src/main/worker/asr/decoding';
import { LogMelSpectrogram } from '../../src/main/worker/asr/log-mel';
import { decodingTokens } from '../../src/main/worker/asr/speech-recognizer';
import { WhisperModel } from '../../src/main/worker/asr/whisper-model';
import { resolveWhisperModel } from '../../src/main/worker/asr/whisper-registry';
import { ModelLoader } from '../../src/main/worker/models/model-loader';
import { seededRandom } from '../../src/shared/seeded-random';
import { SHARED_AUDIO } from '../support/shared-audio';

let model: WhisperModel;
let encoded: Tensor;
let start: number[];

beforeAll(async () => {
  model = await WhisperModel.load(resolveWhisperModel('tiny'), new ModelLoader(), { threads: 2, fitWindow: true });
  const samples = (await decodeWavFile(SHARED_AUDIO.jfk)).samples;
  const frames = 1400; // jfk's bucketed window
  encoded = await model.encode(new LogMelSpectrogram().compute(samples, frames), frames);
  start = model.tokenizer.promptIds({ language: 'en', task: 'transcribe', timestamps: true });
}, 60_000);
afterAll(async () => {
  await model?.release();
});

/** The largest difference between two rows of logits, and whether they pick the same token. */
function compare(a: Float32Array, b: Float32Array): { diff: number; sameBest: boolean } {
  let diff = 0;
  let bestA = 0;
  let bestB = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs((a[i] as number) - (b[i] as number)));
    if ((a[i] as number) > (a[bestA] as number)) bestA = i;
    if ((b[i] as number) > (b[bestB] as number)) bestB = i;
  }
  return { diff, sameBest: bestA === bestB };
}

describe('batched decoding', () => {
  it('gives each row of a batched step the logits its hypothesis gets run alone, after rows are reordered too', async () => {
    const decoder = model.decoder;
    const vocab = model.dims.vocabSize;
    const opened = await decoder.run(start, encoded, null);
    const last = opened.logits.subarray((start.length - 1) * vocab, start.length * vocab);
    const firstTokens = [...last.keys()].sort((a, b) => (last[b] as number) - (last[a] as number)).slice(0, 3);

    const batched = await decoder.step(firstTokens, encoded, decoder.selectRows(opened.cache, [0, 0, 0]));
    const alone = await Promise.all(firstTokens.map((t) => decoder.run([t], encoded, opened.cache)));
    for (const [i, single] of alone.entries()) {
      const { diff, sameBest } = compare(batched.logits.subarray(i * vocab, (i + 1) * vocab), single.logits);
      expect(sameBest).toBe(true);
      expect(diff).toBeLessThan(1e-3);
    }

    // Beam search's next step: row 2 goes on twice (two continuations), row 1 is dropped.
    const parents = [2, 0, 2];
    const nextTokens = [220, 50364, 400];
    const reordered = await decoder.step(nextTokens, encoded, decoder.selectRows(batched.cache, parents));
    expect(reordered.cache).toMatchObject({ rows: 3, length: start.length + 2 });
    for (const [j, parent] of parents.entries()) {
      const single = await decoder.run([nextTokens[j]!], encoded, alone[parent]!.cache);
      const { diff, sameBest } = compare(reordered.logits.subarray(j * vocab, (j + 1) * vocab), single.logits);
      expect(sameBest).toBe(true);
      expect(diff).toBeLessThan(1e-3);
    }
  });

  it('refuses a step whose tokens do not match the cache rows, with a clear error', async () => {
    const opened = await model.decoder.run(start, encoded, null);
    await expect(model.decoder.step([1, 2], encoded, opened.cache)).rejects.toThrow(
      /2 tokens for a decoder cache of 1 rows/,
    );
  });

  it('decodes beam search and sampled temperatures together exactly as each decoded alone', async () => {
    const tokens = decodingTokens(model);
    const common = { start, sotIndex: 0, timestamps: true, beamSize: 5, maxTokens: 224, endSeconds: 11 };
    const ladder = [0, 0.4, 1];
    const together = await decodeTogether(
      model.decoder,
      encoded,
      tokens,
      common,
      ladder.map((temperature, i) => ({ temperature, random: seededRandom(100 + i) })),
    );
    for (const [i, temperature] of ladder.entries()) {
      const alone = await decodeWindow(model.decoder, encoded, tokens, {
        ...common,
        temperature,
        random: seededRandom(100 + i),
      });
      expect(together[i]!.tokens, `temperature ${temperature}`).toEqual(alone.tokens);
      expect(together[i]!.avgLogProb).toBeCloseTo(alone.avgLogProb, 3);
    }
    // Beam search on jfk.wav reads it exactly; the batch ran once per step for all of them.
    expect(model.tokenizer.decode(together[0]!.tokens.filter((t) => t < tokens.timestampBegin!))).toContain(
      'ask not what your country can do for you',
    );
    expect(together[0]!.decoderRuns).toBeLessThan(60);
  });

  it('stops the ladder once a temperature settles and every one before it has ended, with the same results', async () => {
    const tokens = decodingTokens(model);
    const common = { start, sotIndex: 0, timestamps: true, beamSize: 5, maxTokens: 224, endSeconds: 11 };
    const ladder = [0.2, 0.6, 1];
    const decode = (settles?: (r: { temperature: number }) => boolean) =>
      decodeTogether(
        model.decoder,
        encoded,
        tokens,
        common,
        ladder.map((temperature, i) => ({ temperature, random: seededRandom(7 + i) })),
        settles,
      );
    const all = await decode();
    const never = await decode(() => false);
    expect(never.map((r) => r.tokens)).toEqual(all.map((r) => r.tokens));
    expect(never[0]!.decoderRuns).toBe(all[0]!.decoderRuns);

    // The first temperature settles: the others are left, and no run is spent after it ended
    // (with these seeds it ends well before them: fewer runs than the whole ladder).
    const first = await decode((r) => r.temperature === 0.2);
    expect(first.map((r) => r.tokens)).toEqual([all[0]!.tokens]);
    expect(first[0]!.decoderRuns).toBeLessThanOrEqual(all[0]!.tokens.length + 1);
    expect(first[0]!.decoderRuns).toBeLessThan(all[0]!.decoderRuns);

    // The second settles: the first (ended, not settled) and the second come back as decoded
    // without the check; the third is left.
    const second = await decode((r) => r.temperature === 0.6);
    expect(second.map((r) => r.tokens)).toEqual(all.slice(0, 2).map((r) => r.tokens));
  });
});
