import { WAKE_FRAME_MS, WAKE_FRAME_SAMPLES, type WakeWordDetector } from './wake-word-detector';

/** Silence appended after the audio, so that a phrase at the very end still passes through the heads' window. */
const TAIL_FRAMES = Math.ceil(16000 / WAKE_FRAME_SAMPLES);

export interface WakeScanResult {
  /** `time_s` is the end of the frame that fired; it may fall in the appended silence. */
  detections: { keyword: string; time_s: number; score: number }[];
  /** Frames scored, the appended silence included. */
  frames: number;
  /** Wall-clock processing time of each frame, in milliseconds. */
  frameTimesMs: number[];
}

/**
 * Runs a whole recording (16 kHz mono, full scale ±1) through the detector as a stream, from its
 * pre-filled state (the detector is reset first) with its current settings. The final partial
 * frame is padded with zeros and about 1 s of silence follows.
 */
export async function scanForWakeWords(samples: Float32Array, detector: WakeWordDetector): Promise<WakeScanResult> {
  await detector.reset();
  const whole = Math.floor(samples.length / WAKE_FRAME_SAMPLES);
  const partial = samples.length % WAKE_FRAME_SAMPLES > 0;
  const frames = whole + (partial ? 1 : 0) + TAIL_FRAMES;
  const scratch = new Float32Array(WAKE_FRAME_SAMPLES);
  const detections: WakeScanResult['detections'] = [];
  const frameTimesMs: number[] = [];
  for (let i = 0; i < frames; i++) {
    let frame: Float32Array;
    if (i < whole) {
      frame = samples.subarray(i * WAKE_FRAME_SAMPLES, (i + 1) * WAKE_FRAME_SAMPLES);
    } else {
      // Awaited before the next frame, so one scratch buffer serves the padded tail and the silence.
      scratch.fill(0);
      if (i === whole && partial) scratch.set(samples.subarray(i * WAKE_FRAME_SAMPLES));
      frame = scratch;
    }
    const start = performance.now();
    const result = await detector.process(frame);
    frameTimesMs.push(performance.now() - start);
    const time_s = ((i + 1) * WAKE_FRAME_MS) / 1000;
    for (const d of result.detections) detections.push({ keyword: d.keyword, time_s, score: d.score });
  }
  return { detections, frames, frameTimesMs };
}
