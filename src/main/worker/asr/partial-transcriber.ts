import type { SpeechRecognizer, TranscribeOptions, Transcript } from './speech-recognizer';

export interface PartialUpdate {
  /**
   * The start of the latest hypothesis that the one before it agreed on. It only grows, unless a
   * hypothesis over more audio decodes it differently: stable + unstable is always the latest
   * hypothesis, word for word (stable words keep the case and punctuation they were first shown with).
   */
  stable: string;
  /** The rest of the latest hypothesis: it may still change. */
  unstable: string;
  /** Seconds of audio the hypothesis covers. */
  audioS: number;
  /** Of `ms`, the log-mel spectrogram (0 when every window's encoder output came from the cache). */
  melMs: number;
  /** Time the partial took. */
  ms: number;
}

export interface PartialStats {
  partials: number;
  /** Ticks that found a partial still running (work is never queued behind it). */
  skippedBusy: number;
  /** Ticks with no new audio since the last partial. */
  skippedIdle: number;
  /** Ticks skipped because the worker was behind live audio (see LiveUtterances). */
  skippedBehind: number;
  /**
   * The final pass was the last partial itself: on the same audio, a pass made at a pause with
   * the final's options, or a greedy partial that passed the fallback checks.
   */
  finalReused: boolean;
  /** Partials stopped because the final pass needed more audio than they covered. */
  stopped: number;
  /** Partials that failed (their error is not reported; the final pass's would be). */
  failed: number;
  /** Milliseconds `finish` waited for a running partial (to reuse it, or until it stopped). */
  finishWaitMs: number;
}

const SAMPLE_RATE = 16000;
/** Initial room: 10 s; grows by doubling. */
const INITIAL_SAMPLES = 10 * SAMPLE_RATE;

/**
 * Live partial transcripts of a growing utterance. The caller appends audio as it arrives and
 * calls `tick` at the profile's interval; a tick while a partial is still running is skipped, so
 * work never piles up. Partials decode greedily without fallback (speed over polish), except the
 * one that starts when speech pauses and those after a partial that failed the fallback checks,
 * which run with the final's options; they keep a stable
 * prefix by local agreement: a word is committed once two consecutive hypotheses agree on it and
 * everything before it. `finish` transcribes the whole utterance with the full options; when no
 * audio arrived since the last partial, its encoder output comes from the cache, and the final
 * pass is that partial itself when it ran with the final's options or settled greedily.
 */
export class PartialTranscriber {
  private audio = new Float32Array(INITIAL_SAMPLES);
  private length = 0;
  /** End of the last audio the caller marked as voiced. */
  private voicedEnd = 0;
  private running: Promise<void> | undefined;
  /** The running partial's audio length and its stop switch. */
  private runningLength = 0;
  private stopRunning: AbortController | undefined;
  /** The last appended audio was unvoiced after speech. */
  private paused = false;
  /** A partial is due as soon as the running one ends (speech paused while it ran). */
  private tickWhenIdle = false;
  private lastLength = 0;
  /** The latest partial's transcript, the audio it covered, and whether it ran with the final's options. */
  private last: { length: number; transcript: Transcript; full: boolean } | undefined;
  /** The running partial is a pause's pass (with the final's options). */
  private runningPause = false;
  private previous: string[] = [];
  private committed: string[] = [];
  readonly stats: PartialStats = {
    partials: 0,
    skippedBusy: 0,
    skippedIdle: 0,
    skippedBehind: 0,
    finalReused: false,
    stopped: 0,
    failed: 0,
    finishWaitMs: 0,
  };

  constructor(
    readonly recognizer: SpeechRecognizer,
    private readonly options: TranscribeOptions,
    private readonly onPartial: (update: PartialUpdate) => void,
  ) {}

  /**
   * Adds audio. Unvoiced audio (silence by the VAD) after the last voiced frame is kept out of
   * partials and the final pass, so the silence that ends an utterance does not change what they
   * see: the partial that runs in it covers exactly what the final pass will, whose encoder output
   * then comes from the cache. (A fitted encoder window pads with silence of its own.)
   */
  append(samples: Float32Array, voiced = true): void {
    if (this.length + samples.length > this.audio.length) {
      const grown = new Float32Array(Math.max(this.audio.length * 2, this.length + samples.length));
      grown.set(this.audio.subarray(0, this.length));
      this.audio = grown;
    }
    this.audio.set(samples, this.length);
    this.length += samples.length;
    if (voiced) {
      // Speech goes on: a pass made for the pause is stale; stop it rather than wait for it.
      if (this.paused && this.runningPause) this.stopRunning?.abort();
      this.voicedEnd = this.length;
      this.paused = false;
    } else if (!this.paused && this.voicedEnd > 0) {
      // Speech just paused (perhaps ended): a pass on everything heard so far now, or as soon as
      // the running one is done. It runs with the final's own options (fallback ladder, beams),
      // so when the utterance ends here the final pass is this one, already under way.
      this.paused = true;
      if (this.running) this.tickWhenIdle = true;
      else this.tick(true);
    }
  }

  /** The audio partials and the final pass transcribe: up to the end of the last voiced frame. */
  private get heard(): number {
    return this.voicedEnd;
  }

  get audioSeconds(): number {
    return this.heard / SAMPLE_RATE;
  }

  /** A tick the caller skips: the audio is coming in late, and catching up comes first. */
  skipBehind(): void {
    this.stats.skippedBehind++;
  }

  /**
   * Starts a partial unless one is running or nothing new arrived; never waits for one. `atPause`:
   * decode with the final pass's full options instead of greedy only.
   */
  tick(atPause = false): void {
    if (this.running) {
      this.stats.skippedBusy++;
      return;
    }
    // At a pause, a greedy partial on the same audio that cannot stand for the final (beam search,
    // or it did not pass the fallback checks) is not enough: the final's pass starts now on the
    // cached encoder output rather than at the release, 100 ms or more later.
    if (this.heard === this.lastLength && !(atPause && !this.lastIsFinal())) {
      this.stats.skippedIdle++;
      return;
    }
    this.running = this.partial(atPause).finally(() => {
      this.running = undefined;
      if (this.tickWhenIdle) {
        this.tickWhenIdle = false;
        this.tick(this.paused);
      }
    });
  }

  /** Resolves once no partial is running. */
  async whenIdle(): Promise<void> {
    while (this.running) await this.running;
  }

  /**
   * Transcribes everything with the full options. A running partial that covers all the audio is
   * awaited (it may be the final itself); one that covers less is stopped, not waited for.
   */
  async finish(): Promise<Transcript> {
    if (this.running && this.runningLength !== this.heard) this.stopRunning?.abort();
    const waitFrom = performance.now();
    await this.whenIdle();
    this.stats.finishWaitMs = performance.now() - waitFrom;
    const last = this.last;
    // Silence that came after it does not matter: the recognizer hears the audio between its
    // speech bounds (speech-bounds.ts), and that may be the same.
    // The buffer only grows, so the last partial's audio is still its start.
    const sameAudio =
      last !== undefined &&
      (last.length === this.heard ||
        this.recognizer.audioIdentity(this.audio.subarray(0, last.length)) ===
          this.recognizer.audioIdentity(this.audio.subarray(0, this.heard)));
    if (last && sameAudio && this.lastIsFinal()) {
      this.stats.finalReused = true;
      // No encoder ran for this final pass: each window's output was already at hand.
      const windows = last.transcript.temperatures.length;
      return {
        ...last.transcript,
        timings: { melMs: 0, encoderMs: 0, decoderMs: 0, totalMs: 0 },
        cache: { encoderHits: windows, encoderMisses: 0 },
      };
    }
    // The last partial's tokens are the draft: where the new audio did not change them, they are
    // checked in one decoder run; the result is still exactly greedy decoding's (decoding.ts).
    return this.recognizer.transcribe(this.audio.subarray(0, this.heard), {
      ...this.options,
      drafts: last?.transcript.windowTokens,
    });
  }

  /**
   * The last partial is what the final pass would give on its audio. Decoding is deterministic
   * (sampling is seeded): a pass made with the final's options (at a pause) is the final pass, and
   * a greedy partial that passed the fallback checks is what the final pass decodes first and keeps.
   */
  private lastIsFinal(): boolean {
    const last = this.last;
    return !!last && (last.full || (last.transcript.settled && this.options.beamSize <= 1));
  }

  private async partial(atPause: boolean): Promise<void> {
    const length = this.heard;
    // After a partial that failed the fallback checks, the final will need the ladder too: partials
    // run with the final's options until one settles, so that when speech has ended by then (a short
    // command, often the hard case), the final is this pass, already under way at the release
    // instead of starting there. Ticks are skipped while it runs, so this costs freshness, not work.
    const full = atPause || (this.last !== undefined && !this.last.transcript.settled);
    const started = performance.now();
    const stop = new AbortController();
    this.stopRunning = stop;
    this.runningLength = length;
    this.runningPause = atPause;
    let result: Transcript;
    try {
      const greedy = full ? {} : { beamSize: 1, temperatures: [0] };
      result = await this.recognizer.transcribe(this.audio.subarray(0, length), {
        ...this.options,
        ...greedy,
        signal: stop.signal,
        drafts: this.last?.transcript.windowTokens,
      });
    } catch {
      // A partial is disposable: a failure here shows up, if it lasts, in the final pass.
      if (stop.signal.aborted) this.stats.stopped++;
      else this.stats.failed++;
      return;
    }
    this.lastLength = length;
    this.last = { length, transcript: result, full };
    this.stats.partials++;
    const words = result.text.split(/\s+/).filter((w) => w !== '');
    this.commit(words);
    this.onPartial({
      stable: this.committed.join(' '),
      unstable: words.slice(this.committed.length).join(' '),
      audioS: length / SAMPLE_RATE,
      melMs: result.timings.melMs,
      ms: performance.now() - started,
    });
  }

  /**
   * Local agreement of the last two hypotheses. Words are compared without case and punctuation
   * ("not." and "not!" agree). Committed words the new hypothesis no longer has are taken back,
   * so the stable part never shows words the latest decoding does not.
   */
  private commit(words: string[]): void {
    const keys = words.map(wordKey);
    let kept = 0;
    while (kept < this.committed.length && kept < keys.length && keys[kept] === wordKey(this.committed[kept]!)) kept++;
    let n = kept;
    while (n < keys.length && n < this.previous.length && keys[n] === this.previous[n]) n++;
    // Kept words keep their spelling ("not." stays "not." when the next says "not!"): stable text does not flicker.
    this.committed = [...this.committed.slice(0, kept), ...words.slice(kept, n)];
    this.previous = keys;
  }
}

function wordKey(word: string): string {
  return word.toLowerCase().replace(/[^\p{L}\p{N}']/gu, '');
}
