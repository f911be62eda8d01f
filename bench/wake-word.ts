import { join } from 'node:path';
import type * as OrtModule from 'onnxruntime-node';
import { decodeWavFile } from '../src/main/audio/wav';
import { ModelLoader, onnxRuntime } from '../src/main/worker/models/model-loader';
import { EMBEDDING, MELSPECTROGRAM } from '../src/main/worker/models/model-manifest';
import {
  DEFAULT_WAKE_SETTINGS,
  WAKE_FRAME_MS,
  WAKE_FRAME_SAMPLES,
  WakeWordDetector,
} from '../src/main/worker/wake/wake-word-detector';
import { describeMicros, percentile, sampleMicros } from './stats';

const JFK = join(import.meta.dirname, '..', '..', 'shared', 'audio', 'jfk.wav');
const KEYWORDS = ['hey_jarvis', 'alexa', 'hey_mycroft'];
const FRAMES = 600;
/** Frames skipped before each catch-up sample: more than the heads' 16-frame window. */
const SKIPPED = 30;

/**
 * The streaming wake-word pipeline (mel → embedding → three keyword heads) per 80 ms frame of
 * jfk.wav (speech throughout), with 1 and 2 threads, against its dominant stage measured alone in
 * the same run: one embedding-model call. Also what a VAD gate costs and saves: `skip` per frame,
 * and the first `process` after a long skip, which catches up on the skipped frames.
 */
export const wakeWordBench = {
  name: `Wake word: full pipeline (${KEYWORDS.join(', ')}) per 80 ms frame vs the embedding model alone`,
  async run(): Promise<string[]> {
    const samples = (await decodeWavFile(JFK)).samples;
    const frames: Float32Array[] = [];
    for (let at = 0; at + WAKE_FRAME_SAMPLES <= samples.length; at += WAKE_FRAME_SAMPLES) {
      frames.push(samples.slice(at, at + WAKE_FRAME_SAMPLES));
    }
    const loader = new ModelLoader();
    const ort = onnxRuntime();
    const lines: string[] = [`${frames.length} frames of jfk.wav, looped; ${FRAMES} timed calls after warm-up`];
    const windows = await melWindows(loader, ort, samples);

    for (const threads of [1, 2]) {
      // The baseline is timed before and after the pipeline and pooled, so drift on a shared machine hits both.
      const embedding = await loader.session(EMBEDDING, threads);
      const feeds = windows.map((w) => ({ input_1: new ort.Tensor('float32', w, [1, 76, 32, 1]) }));
      let w = 0;
      const embed = () => embedding.run(feeds[w++ % feeds.length]!);
      const baseline = await sampleMicros(FRAMES / 2, embed);

      const detector = await WakeWordDetector.create({ keywords: KEYWORDS, threads, loader });
      let k = 0;
      const pipeline = await sampleMicros(FRAMES, () => detector.process(frames[k++ % frames.length]!));
      const skip = await sampleMicros(FRAMES, () => detector.skip(frames[k++ % frames.length]!));
      // More phases of the frame grid: each adds an embedding window and a head run per keyword.
      const phased: string[] = [];
      for (const phases of [2, 4]) {
        detector.configure({ ...DEFAULT_WAKE_SETTINGS, phases });
        for (let i = 0; i < 40; i++) await detector.process(frames[k++ % frames.length]!);
        const timed = await sampleMicros(FRAMES, () => detector.process(frames[k++ % frames.length]!));
        phased.push(
          describeMicros(`full pipeline per frame, ${phases} phases`, timed) +
            `   ${(percentile(timed, 50) / percentile(pipeline, 50)).toFixed(2)}× one phase (p50), RTF ${(percentile(timed, 50) / (WAKE_FRAME_MS * 1000)).toFixed(4)}`,
        );
      }
      detector.configure({ ...DEFAULT_WAKE_SETTINGS, phases: 1 });
      const catchUp: number[] = [];
      for (let i = 0; i < 40; i++) {
        for (let s = 0; s < SKIPPED; s++) await detector.skip(frames[k++ % frames.length]!);
        const start = process.hrtime.bigint();
        await detector.process(frames[k++ % frames.length]!);
        catchUp.push(Number(process.hrtime.bigint() - start) / 1000);
      }
      catchUp.sort((a, b) => a - b);
      await detector.dispose();
      baseline.push(...(await sampleMicros(FRAMES / 2, embed)));
      baseline.sort((a, b) => a - b);
      await embedding.release();

      const rtf = (p: number) => (percentile(pipeline, p) / (WAKE_FRAME_MS * 1000)).toFixed(4);
      const ratio = (a: number[], b: number[], p: number) => (percentile(a, p) / percentile(b, p)).toFixed(2);
      lines.push(
        '',
        `${threads} thread${threads > 1 ? 's' : ''} for the embedding model (mel and heads on 1)`,
        describeMicros('embedding model alone (baseline)', baseline),
        describeMicros('full pipeline per frame', pipeline),
        ...phased,
        describeMicros('skip per frame', skip),
        describeMicros(`process after ${SKIPPED} skipped frames`, catchUp),
        `real-time factor (frame cost / 80 ms): p50 ${rtf(50)}  p95 ${rtf(95)}  p99 ${rtf(99)}`,
        `pipeline / embedding alone: ${ratio(pipeline, baseline, 50)}× at p50, ${ratio(pipeline, baseline, 99)}× at p99`,
        `catch-up after a long skip = ${ratio(catchUp, pipeline, 50)}× one frame (p50)`,
      );
    }
    return lines;
  },
};

/** Real embedding inputs: every 76-frame mel window (`x/10 + 2`, stride 8) of jfk.wav, as the pipeline sees them. */
async function melWindows(loader: ModelLoader, ort: typeof OrtModule, samples: Float32Array): Promise<Float32Array[]> {
  const mel = await loader.session(MELSPECTROGRAM, 1);
  const audio = samples.map((v) => v * 32767);
  const out = (await mel.run({ input: new ort.Tensor('float32', audio, [1, audio.length]) })).output;
  await mel.release();
  const data = (out!.data as Float32Array).map((v) => v / 10 + 2);
  const windows: Float32Array[] = [];
  for (let at = 0; at + 76 * 32 <= data.length; at += 8 * 32) windows.push(data.slice(at, at + 76 * 32));
  return windows;
}
