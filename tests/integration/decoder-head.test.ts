// The 8-bit output projection edit of Whisper's merged decoder: same predictions as the stock graph, and a clear error on another model.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeWavFile } from '../../src/main/audio/wav';
import { quantizedHeadDecoderModel } from '../../src/main/worker/asr/decoder-head';
import { LogMelSpectrogram } from '../../src/main/worker/asr/log-mel';
import { WhisperDecoder } from '../../src/main/worker/asr/whisper-decoder';
import { resolveWhisperModel } from '../../src/main/worker/asr/whisper-registry';
import { onnxRuntime, openSession } from '../../src/main/worker/models/model-loader';
import { SHARED_AUDIO } from '../support/shared-audio';

const tiny = resolveWhisperModel('tiny');
const DIMS = {
  decoderLayers: 4,
  decoderHeads: 6,
  headSize: 64,
  dModel: 384,
  vocabSize: 51865,
  maxTargetPositions: 448,
  maxSourcePositions: 1500,
};

function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}

describe('quantizedHeadDecoderModel', () => {
  it('predicts the same tokens as the stock decoder on jfk.wav, step after step, with logits within 0.05', async () => {
    const stockBytes = readFileSync(tiny.files.decoder.path);
    const ort = onnxRuntime();
    const stock = new WhisperDecoder(
      ort,
      await openSession(stockBytes, { threads: 1, arena: true, name: 'stock decoder' }),
      DIMS,
    );
    const edited = new WhisperDecoder(
      ort,
      await openSession(quantizedHeadDecoderModel(stockBytes), { threads: 1, arena: true, name: 'edited decoder' }),
      DIMS,
    );
    // The encoder's output for jfk.wav (full 30 s window).
    const jfk = (await decodeWavFile(SHARED_AUDIO.jfk)).samples;
    const features = new LogMelSpectrogram().compute(jfk);
    const encoder = await openSession(tiny.files.encoder.path, { threads: 2, name: 'encoder' });
    const input = new ort.Tensor('float32', features, [1, 80, 3000]);
    const hidden = (await encoder.run({ input_features: input }, ['last_hidden_state'])).last_hidden_state!;
    await encoder.release();
    let a = await stock.run([50258, 50259, 50359, 50363], hidden, null);
    let b = await edited.run([50258, 50259, 50359, 50363], hidden, null);
    let worst = 0;
    const tokens: number[] = [];
    for (let step = 0; step < 40; step++) {
      const la = a.logits.subarray(a.logits.length - 51865);
      const lb = b.logits.subarray(b.logits.length - 51865);
      const token = argmax(la);
      expect(argmax(lb), `step ${step}`).toBe(token);
      if (token === 50257) break;
      tokens.push(token);
      let spread = 0;
      for (let i = 0; i < la.length; i++) spread = Math.max(spread, Math.abs((la[i] as number) - (lb[i] as number)));
      worst = Math.max(worst, spread);
      a = await stock.run([token], hidden, a.cache);
      b = await edited.run([token], hidden, b.cache);
    }
    // Raw argmax, without Whisper's rules: "And so my fellow Americans…" until it picks end-of-text.
    expect(tokens.length).toBeGreaterThan(4);
    // Two 8-bit passes leave the logits within a few hundredths of the stock graph's.
    expect(worst, String(worst)).toBeLessThan(0.05);
    await Promise.all([stock.release(), edited.release()]);
  });

  it('refuses a model that is not the 8-bit merged decoder, so the caller keeps the stock graph', () => {
    expect(() => quantizedHeadDecoderModel(readFileSync(tiny.files.encoder.path))).toThrow(
      expect.objectContaining({ code: 'ModelIntegrityError' }),
    );
    expect(() => quantizedHeadDecoderModel(new Uint8Array([1, 2, 3]))).toThrow(
      expect.objectContaining({ code: 'ModelIntegrityError' }),
    );
  });
});
