// What the hallucination guard drops (a repeated sentence, text over silence) and what it keeps (speech, short repeats said on purpose).
import { describe, expect, it } from 'vitest';
import { dropHallucinations } from '../../../../src/main/worker/asr/hallucination-guard';

const RATE = 16000;

/** Speech-like audio (a tone at about −20 dBFS) over [from, to) seconds, silence elsewhere. */
function clip(seconds: number, spoken: [number, number][]): Float32Array {
  const out = new Float32Array(seconds * RATE);
  for (const [from, to] of spoken)
    for (let i = Math.round(from * RATE); i < Math.round(to * RATE); i++) out[i] = 0.14 * Math.sin(i / 7);
  return out;
}

describe('dropHallucinations', () => {
  it('drops a segment that repeats a sentence already transcribed', () => {
    const samples = clip(12, [[0, 11.5]]);
    const sentence = ' In the morning we will drive to the coast.';
    const kept = dropHallucinations(
      [
        { start: 0, end: 5.5, text: sentence },
        { start: 5.5, end: 11, text: sentence },
      ],
      samples,
    );
    expect(kept.map((s) => s.text)).toEqual([sentence]);
  });

  it('drops text over silence after the speech, and keeps quiet speech that is not silence', () => {
    const samples = clip(8, [[0, 3]]);
    for (let i = 4 * RATE; i < 5 * RATE; i++) samples[i] = 0.02 * Math.sin(i / 7); // −37 dBFS: quiet, not silent
    const kept = dropHallucinations(
      [
        { start: 0, end: 3, text: ' Turn on the lights.' },
        { start: 4, end: 5, text: ' please' },
        { start: 6, end: 8, text: ' Thank you.' },
      ],
      samples,
    );
    expect(kept.map((s) => s.text)).toEqual([' Turn on the lights.', ' please']);
  });

  it('keeps short repeats, which people do say ("no, no", "stop stop")', () => {
    const samples = clip(4, [[0, 4]]);
    const segments = [
      { start: 0, end: 1, text: ' No, no.' },
      { start: 1, end: 2, text: ' No, no.' },
      { start: 2, end: 4, text: ' Stop the music, stop the timer.' },
    ];
    expect(dropHallucinations(segments, samples)).toEqual(segments);
  });
});
