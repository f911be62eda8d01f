// Whisper's stock ONNX encoders (tiny, base), edited at load time to run on windows shorter than 30 s, in onnxruntime-node.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import onnxProto from 'onnx-proto';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/shared/errors';
import { seededRandom } from '../../src/shared/seeded-random';
import {
  bucketedWindowFrames,
  encoderWindowFrames,
  WHISPER_WINDOW_FRAMES,
  windowedEncoderModel,
} from '../../src/main/worker/asr/encoder-window';
import { onnxRuntime } from '../../src/main/worker/models/model-loader';

const requireHere = createRequire(import.meta.url);

function whisperFile(size: 'tiny' | 'base', file: string): Uint8Array {
  const dir = dirname(requireHere.resolve(`sts-whisper-${size}/package.json`));
  return readFileSync(join(dir, 'models', 'Xenova', `whisper-${size}`, 'onnx', file));
}

/** One intra-op thread, so timings compare like with like on a busy 2-core machine. */
function open(model: Uint8Array, quiet = false): Promise<InferenceSession> {
  return onnxRuntime().InferenceSession.create(model, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // The original encoder is expected to fail on short windows: keep ONNX Runtime's own error log quiet.
    logSeverityLevel: quiet ? 4 : 2,
  });
}

/** Log-mel-like features: seeded uniform values in [-1, 1], [1, 80, frames]. */
function features(frames: number, seed = 7): Tensor {
  const random = seededRandom(seed);
  const data = Float32Array.from({ length: 80 * frames }, () => random() * 2 - 1);
  return new (onnxRuntime().Tensor)('float32', data, [1, 80, frames]);
}

/** Only the hidden state: the encoder also outputs every attention map, slow to fetch. */
async function encode(session: InferenceSession, input: Tensor): Promise<Tensor> {
  const out = await session.run({ input_features: input }, ['last_hidden_state']);
  const state = out.last_hidden_state;
  if (!state) throw new Error('The encoder returned no last_hidden_state');
  return state;
}

function maxAbsDifference(a: Tensor, b: Tensor): number {
  const x = a.data as Float32Array;
  const y = b.data as Float32Array;
  let max = 0;
  for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs((x[i] ?? 0) - (y[i] ?? 0)));
  return max;
}

async function medianMs(session: InferenceSession, input: Tensor, runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await encode(session, input);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)] ?? NaN;
}

const sessions: InferenceSession[] = [];
async function pair(size: 'tiny' | 'base'): Promise<{ original: InferenceSession; edited: InferenceSession }> {
  const model = whisperFile(size, 'encoder_model_quantized.onnx');
  const original = await open(model, true);
  const edited = await open(windowedEncoderModel(model));
  sessions.push(original, edited);
  return { original, edited };
}
afterAll(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.release()));
});

describe('windowedEncoderModel on whisper-tiny', () => {
  let tiny: { original: InferenceSession; edited: InferenceSession };
  beforeAll(async () => {
    tiny = await pair('tiny');
  });

  it('gives the original last_hidden_state on the full 3000-frame window', async () => {
    const input = features(WHISPER_WINDOW_FRAMES);
    const expected = await encode(tiny.original, input);
    const actual = await encode(tiny.edited, input);
    expect(actual.dims).toEqual([1, 1500, 384]);
    expect(maxAbsDifference(actual, expected)).toBeLessThanOrEqual(1e-5);
  });

  it.each([400, 1000, 1500])('runs on %i frames, where the original encoder fails', async (frames) => {
    const input = features(frames);
    const state = await encode(tiny.edited, input);
    expect(state.dims).toEqual([1, frames / 2, 384]);
    expect((state.data as Float32Array).every(Number.isFinite)).toBe(true);
    await expect(encode(tiny.original, input)).rejects.toThrow(/broadcast/);
  });

  it('is much faster on 400 frames than on 3000', async () => {
    const short = features(400);
    const full = features(WHISPER_WINDOW_FRAMES);
    await encode(tiny.edited, short); // warm-up
    const shortMs = await medianMs(tiny.edited, short, 5);
    const fullMs = await medianMs(tiny.edited, full, 3);
    // Attention is quadratic in the window, the rest linear: 400 frames cost ~0.07× here.
    expect(shortMs / fullMs, `400 frames ${shortMs.toFixed(0)} ms, 3000 frames ${fullMs.toFixed(0)} ms`).toBeLessThan(
      0.5,
    );
  }, 60_000);
});

describe('windowedEncoderModel on whisper-base', () => {
  // The full-window comparison is left to tiny: on base it costs two 30 s windows (~10 s here).
  it('edits and runs the base encoder (d_model 512) on a short window', async () => {
    const base = await pair('base');
    const input = features(600);
    expect((await encode(base.edited, input)).dims).toEqual([1, 300, 512]);
    await expect(encode(base.original, input)).rejects.toThrow(/broadcast/);
  });
});

describe('windowedEncoderModel on other graphs', () => {
  const tinyEncoder = () => whisperFile('tiny', 'encoder_model_quantized.onnx');

  function integrityError(model: Uint8Array, reason: RegExp): void {
    let error: unknown;
    try {
      windowedEncoderModel(model);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('ModelIntegrityError');
    expect((error as AppError).message).toMatch(reason);
  }

  it('rejects bytes that are not a whole ONNX model', () => {
    integrityError(tinyEncoder().subarray(0, 1_000_000), /not a readable ONNX model/);
  });

  it('rejects the decoder, which has no encoder input nor a positional Add', () => {
    integrityError(whisperFile('tiny', 'decoder_model_merged_quantized.onnx'), /one \[batch, mel bins, frames\] input/);
  });

  it('rejects an encoder already edited: its positional table no longer feeds the Add', () => {
    integrityError(windowedEncoderModel(tinyEncoder()), /no positional-embedding table/);
  });

  it('rejects an encoder whose positional table has a second consumer', () => {
    const { onnx } = onnxProto;
    const model = onnx.ModelProto.decode(tinyEncoder());
    const graph = model.graph;
    if (!graph) throw new Error('The tiny encoder has no graph');
    const table = (graph.initializer ?? []).find((t) => t.name?.endsWith('embed_positions.weight'));
    if (!table?.name) throw new Error('The tiny encoder has no embed_positions.weight');
    graph.node?.push(onnx.NodeProto.create({ opType: 'Identity', input: [table.name], output: ['copy'] }));
    integrityError(onnx.ModelProto.encode(model).finish(), /has 2 consumers, expected one/);
  });
});

describe('encoderWindowFrames', () => {
  it('rounds up to an even frame count, at most 3000', () => {
    expect([1, 2, 401, 2999, 3000, 4500].map(encoderWindowFrames)).toEqual([2, 2, 402, 3000, 3000, 3000]);
    expect(() => encoderWindowFrames(0)).toThrow(RangeError);
  });

  it('buckets a fitted window to whole seconds, so that few shapes exist to warm', () => {
    expect([1, 100, 101, 650, 1300, 2950, 3200].map(bucketedWindowFrames)).toEqual([
      100, 100, 200, 700, 1300, 3000, 3000,
    ]);
  });
});
