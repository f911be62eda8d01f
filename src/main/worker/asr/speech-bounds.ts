import { WHISPER_SAMPLE_RATE } from './log-mel';

/**
 * Silence kept before the first sound and after the last one. Whisper tiny hears the same words
 * differently with 0.6–0.75 s of silence before them (a push-to-talk's pre-roll and the gap
 * before the first word) than with 0.1–0.3 s: on 40 generated commands (4 voices), WER 22–24 %
 * with live-like leads and 13.3 % cut to these bounds, whatever the lead was; 15.6 % with no
 * silence at all. Leads of 0.1–0.3 s scored alike within the noise of 40 clips; 0.2 s leaves
 * room for a soft onset below the threshold.
 */
const LEAD_SECONDS = 0.2;
const TRAIL_SECONDS = 0.3;
/** Loudness is measured over 10 ms, at every sample: the bounds are exact, not on a frame grid. */
const WINDOW = WHISPER_SAMPLE_RATE / 100;
/**
 * Sound is louder than the quietest 10 ms of the clip (its noise floor) by this much, and louder
 * than −50 dBFS; on a quiet line, louder than 35 dB below the clip's loudest 10 ms is enough.
 */
const ABOVE_FLOOR_DB = 12;
const SILENCE_DBFS = -50;
const BELOW_PEAK_DB = 35;
/**
 * The threshold is rounded to this step (dB): a running sum's rounding differs with what came
 * before the sound, and must not move a bound by a sample.
 */
const THRESHOLD_STEP_DB = 0.5;

export interface BoundedAudio {
  samples: Float32Array;
  /** Where `samples[0]` lies in the original clip, in samples. */
  offset: number;
}

/**
 * The clip from `LEAD_SECONDS` before its first sound to `TRAIL_SECONDS` after its last, to the
 * sample. Whisper then sees the same audio for the same words however long the silence around
 * them was: when a key went down, how late the release reached the app on a busy machine, where
 * the VAD's frames ended. A clip with less silence than that before its sound keeps what it has
 * (digital silence added in front of a noisy recording made tiny loop on jfk.wav); after the
 * sound, digital silence is added, as the encoder window pads with anyway. A view of the clip
 * where nothing is added; a clip without sound above its noise floor is returned whole.
 *
 * Hand-written: no maintained npm library finds sample-exact sound bounds in a Float32Array,
 * and the VAD's 32 ms windows would bring back the jitter this removes.
 */
export function boundToSpeech(samples: Float32Array): BoundedAudio {
  const bounds = soundBounds(samples);
  if (!bounds) return { samples, offset: 0 };
  const from = Math.max(0, bounds.first - Math.round(LEAD_SECONDS * WHISPER_SAMPLE_RATE));
  const to = bounds.last + 1 + Math.round(TRAIL_SECONDS * WHISPER_SAMPLE_RATE);
  if (to <= samples.length) return { samples: samples.subarray(from, to), offset: from };
  const padded = new Float32Array(to - from);
  padded.set(samples.subarray(from));
  return { samples: padded, offset: from };
}

/** First and last sample of the sound in a clip (see the thresholds above), or undefined for silence. */
export function soundBounds(samples: Float32Array): { first: number; last: number } | undefined {
  if (samples.length < WINDOW) return undefined;
  // One pass for the quietest and loudest 10 ms (sums of squares of the window ending at each sample)…
  let sum = 0;
  for (let i = 0; i < WINDOW - 1; i++) sum += samples[i]! * samples[i]!;
  let quietest = Infinity;
  let loudest = 0;
  for (let i = WINDOW - 1; i < samples.length; i++) {
    sum += samples[i]! * samples[i]!;
    const energy = Math.max(0, sum);
    if (energy < quietest) quietest = energy;
    if (energy > loudest) loudest = energy;
    const out = samples[i - WINDOW + 1]!;
    sum -= out * out;
  }
  if (loudest === 0) return undefined;
  const db = (energy: number) => 10 * Math.log10(energy / WINDOW);
  const thresholdDb = Math.max(Math.min(SILENCE_DBFS, db(loudest) - BELOW_PEAK_DB), db(quietest) + ABOVE_FLOOR_DB);
  const threshold = 10 ** ((Math.round(thresholdDb / THRESHOLD_STEP_DB) * THRESHOLD_STEP_DB) / 20);
  const energyThreshold = threshold * threshold * WINDOW;
  // …then from each end to the first window above the threshold. Such a window holds a sample
  // above it too: the sound starts (ends) at its first (last) one. Not at the window's edge, which
  // would move with whatever precedes the sound: a clip cut right at the first word has no
  // silence for a window to reach into.
  let first = -1;
  sum = 0;
  for (let i = 0; i < samples.length; i++) {
    sum += samples[i]! * samples[i]!;
    if (i >= WINDOW) sum -= samples[i - WINDOW]! * samples[i - WINDOW]!;
    if (i >= WINDOW - 1 && sum > energyThreshold) {
      first = i - WINDOW + 1;
      while (first < i && Math.abs(samples[first]!) <= threshold) first++;
      break;
    }
  }
  if (first < 0) return undefined;
  let last = first;
  sum = 0;
  for (let i = samples.length - 1; i >= 0; i--) {
    sum += samples[i]! * samples[i]!;
    if (i + WINDOW < samples.length) sum -= samples[i + WINDOW]! * samples[i + WINDOW]!;
    if (i + WINDOW <= samples.length && sum > energyThreshold) {
      last = i + WINDOW - 1;
      while (last > i && Math.abs(samples[last]!) <= threshold) last--;
      break;
    }
  }
  return { first, last: Math.max(first, last) };
}
