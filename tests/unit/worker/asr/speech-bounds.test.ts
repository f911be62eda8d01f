// Where a clip's sound begins and ends (to the sample), and the clip Whisper is given: the same for the same sound whatever silence or noise surrounds it.
import { describe, expect, it } from 'vitest';
import { boundToSpeech, soundBounds } from '../../../../src/main/worker/asr/speech-bounds';

const RATE = 16000;

/** A tone burst with a 5 ms fade in and out (speech-like onsets), `amplitude` peak (+ 0: no −0, which is not equal to 0). */
function burst(seconds: number, amplitude = 0.3): Float32Array {
  const n = Math.round(seconds * RATE);
  const fade = 80;
  return Float32Array.from(
    { length: n },
    (_, i) => amplitude * Math.min(1, i / fade, (n - 1 - i) / fade) * Math.sin(i / 5) + 0,
  );
}

function surround(sound: Float32Array, before: number, after: number, noise = 0): Float32Array {
  const out = new Float32Array(before + sound.length + after);
  let seed = 42;
  for (let i = 0; i < out.length; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    out[i] = noise === 0 ? 0 : noise * (seed / 1073741824 - 1);
  }
  for (let i = 0; i < sound.length; i++) out[before + i]! += sound[i]!;
  return out;
}

/** Two words and the pause between them, cut right at the first word's start and the second's end. */
const twoWords = (): Float32Array => new Float32Array([...burst(0.4), ...new Float32Array(8000), ...burst(0.3)]);

describe('soundBounds', () => {
  it('finds the first and last sample of a sound in digital silence, whatever the silence around it', () => {
    const sound = twoWords();
    const bare = soundBounds(sound)!;
    expect(bare.first).toBeLessThan(20);
    expect(bare.last).toBeGreaterThan(sound.length - 20);
    for (const [before, after] of [
      [1, 0],
      [4_801, 3_333],
      [11_000, 17],
    ] as const) {
      const bounds = soundBounds(surround(sound, before, after))!;
      expect({ first: bounds.first - before, last: bounds.last - before }).toEqual(bare);
    }
  });

  it('keeps two words with a pause between them inside one pair of bounds', () => {
    const clip = surround(twoWords(), 6000, 6000);
    const bounds = soundBounds(clip)!;
    expect(bounds.first).toBeLessThan(6020);
    expect(bounds.last).toBeGreaterThan(clip.length - 6020);
  });

  it('measures a noisy microphone against its own floor, and a quiet one against its own peak', () => {
    // Noise at about −46 dBFS RMS: above the −50 dBFS threshold for digital silence.
    const noisy = surround(burst(1), 8000, 8000, 0.0087);
    const bounds = soundBounds(noisy)!;
    expect(Math.abs(bounds.first - 8000)).toBeLessThan(160);
    expect(Math.abs(bounds.last - (8000 + RATE))).toBeLessThan(160);
    // Speech peaking at −54 dBFS on a silent line still counts as sound.
    const quiet = surround(burst(1, 0.002), 8000, 8000);
    expect(soundBounds(quiet)).toEqual({ first: expect.closeTo(8000, -2), last: expect.closeTo(24000, -2) });
  });

  it('finds nothing in digital silence, in a clip shorter than 10 ms, or in one that is all sound', () => {
    expect(soundBounds(new Float32Array(RATE))).toBeUndefined();
    expect(soundBounds(burst(0.005))).toBeUndefined();
    // No quieter part to measure against: nothing to cut.
    expect(soundBounds(burst(1))).toBeUndefined();
  });
});

describe('boundToSpeech', () => {
  it('gives the same samples for the same sound with any silence around it, 0.2 s before and 0.3 s after', () => {
    const sound = twoWords();
    const { first, last } = soundBounds(sound)!;
    const reference = surround(sound, 0.2 * RATE, 0.3 * RATE).subarray(first, first + 0.5 * RATE + last + 1 - first);
    for (const [before, after] of [
      [12_345, 9_000],
      [3_300, 4_830],
      [0.2 * RATE, 0.3 * RATE],
      [4_000, 0],
      [5_000, 1_234],
    ] as const) {
      const clip = surround(sound, before, after);
      const bounded = boundToSpeech(clip);
      expect(bounded.offset).toBe(before + first - 0.2 * RATE);
      expect(bounded.samples).toEqual(reference);
      // A view where nothing was added after the sound.
      if (after >= 0.3 * RATE) expect(bounded.samples.buffer).toBe(clip.buffer);
    }
  });

  it('keeps what there is where the clip has less silence than that before the sound, and a silent clip whole', () => {
    const sound = twoWords();
    const clip = surround(sound, 1000, 0.3 * RATE);
    const last = 1000 + soundBounds(sound)!.last;
    expect(boundToSpeech(clip)).toEqual({ samples: clip.subarray(0, last + 1 + 0.3 * RATE), offset: 0 });
    const silence = new Float32Array(RATE);
    expect(boundToSpeech(silence)).toEqual({ samples: silence, offset: 0 });
  });
});
