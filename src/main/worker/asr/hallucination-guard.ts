import type { Segment } from './speech-recognizer';

/** A segment repeating this many words (or more) that came before it is a loop, not speech. */
const REPEATED_WORDS = 4;
/**
 * A segment whose audio is this far below the loudest segment's (RMS, dB) lies in silence. Speech
 * rarely spans 30 dB within one utterance, while Whisper's text over silence ("Thank you.",
 * a repeat of the last sentence) sits in audio 40–60 dB down.
 */
const SILENCE_BELOW_LOUDEST_DB = 30;
/** Below this RMS (−70 dBFS) audio is silent whatever the loudest segment is. */
const ABSOLUTE_SILENCE_RMS = 10 ** (-70 / 20);

/**
 * Drops what Whisper writes that nobody said (issue: a 9.6 s sentence transcribed twice in 12 s
 * of audio; text over trailing silence): segments whose words all repeat a run of at least four
 * words already transcribed before them, and segments over audio far quieter than the speech.
 * `samples` are the clip the segments' times (seconds) refer to, at 16 kHz.
 */
export function dropHallucinations(segments: readonly Segment[], samples: Float32Array): Segment[] {
  const loudness = segments.map((s) => rms(samples, s.start, s.end));
  const loudest = Math.max(0, ...loudness);
  const floor = Math.max(ABSOLUTE_SILENCE_RMS, loudest * 10 ** (-SILENCE_BELOW_LOUDEST_DB / 20));
  const kept: Segment[] = [];
  const heard: string[] = [];
  segments.forEach((segment, i) => {
    const words = wordsOf(segment.text);
    if (words.length === 0) return;
    if ((loudness[i] as number) < floor) return;
    if (words.length >= REPEATED_WORDS && containsRun(heard, words)) return;
    kept.push(segment);
    heard.push(...words);
  });
  return kept;
}

function wordsOf(text: string): string[] {
  return text
    .toLowerCase()
    .split(/\s+/)
    .map((w) => w.replace(/[^\p{L}\p{N}']/gu, ''))
    .filter((w) => w !== '');
}

/** Whether `run` occurs, word for word and in order, inside `words`. */
function containsRun(words: readonly string[], run: readonly string[]): boolean {
  outer: for (let at = 0; at + run.length <= words.length; at++) {
    for (let i = 0; i < run.length; i++) if (words[at + i] !== run[i]) continue outer;
    return true;
  }
  return false;
}

function rms(samples: Float32Array, startS: number, endS: number): number {
  const from = Math.max(0, Math.floor(startS * 16000));
  const to = Math.min(samples.length, Math.max(from + 1, Math.ceil(endS * 16000)));
  if (to <= from) return 0;
  let sum = 0;
  for (let i = from; i < to; i++) sum += (samples[i] as number) ** 2;
  return Math.sqrt(sum / (to - from));
}
