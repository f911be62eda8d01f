import { AppError, type AppErrorData } from '../../shared/errors';
import type { FinalPassWork } from '../../shared/session';

/** idle: nothing listens for the wake word (push-to-talk still works); armed: it does. */
export type SessionState = 'idle' | 'armed' | 'recording' | 'transcribing';
export type Trigger = 'wake' | 'ptt';
export type FinalPass = 'full' | 'cached-encoder' | 'reused-partial';

/** 80 ms frames since capture started: the one clock that main and the worker share. */
export type FrameSeq = number;

export interface UtteranceAudio {
  id: number;
  trigger: Trigger;
  /** First frame of the utterance, pre-roll included. */
  fromSeq: FrameSeq;
  /** The newest frame captured when it starts: a queued press starts seconds in the past. */
  latestSeq: FrameSeq;
}

export interface SessionTranscript {
  text: string;
  language: string;
  noSpeech: boolean;
  encoderMs: number;
  decoderMs: number;
  /** Live finals: waiting for the last frames and for a running pass (see TranscriptResult). */
  framesWaitMs?: number;
  passWaitMs?: number;
  work?: FinalPassWork;
  /** How the final pass ran: in full, on a cached encoder output, or as the last partial itself. */
  finalPass?: FinalPass;
  /** The worker crashed and the text came from a second pass on main's copy of the audio. */
  recovered?: boolean;
}

/**
 * Where utterances are transcribed (the worker, through the inference service). `start` opens an
 * utterance whose audio begins at `fromSeq` (already captured: the pre-roll) and continues with the
 * live frames; `finish` closes it at `toSeq` and resolves with the final text.
 */
export interface UtteranceTranscriber {
  start(utterance: UtteranceAudio): void;
  finish(id: number, toSeq: FrameSeq): Promise<SessionTranscript>;
  cancel(id: number): void;
}

export interface SessionSettings {
  /** Audio kept before the wake phrase ended or the key went down (ms). */
  preRollMs: number;
  /** Longest utterance; recording ends here whatever the VAD says (ms). */
  maxUtteranceMs: number;
  /** Listen for the wake word when no utterance is running. */
  wakeEnabled: boolean;
  /** The VAD's silence hang-over (ms): its speech-end for the wake phrase itself comes this long after it. */
  silenceHangoverMs: number;
}

export interface FinalEvent {
  type: 'final';
  id: number;
  trigger: Trigger;
  keyword?: string;
  /** The utterance's frames, pre-roll included: its audio in the capture ring buffer. */
  fromSeq: FrameSeq;
  toSeq: FrameSeq;
  text: string;
  language: string;
  noSpeech: boolean;
  finalPass: FinalPass;
  /**
   * Milliseconds: capture start to end of speech (or key release), then to the text. `startedAt`
   * and `endedAt` are the session clock's times (performance.now() unless a test injects one).
   */
  timings: {
    startedAt: number;
    endedAt: number;
    recordingMs: number;
    encoderMs: number;
    decoderMs: number;
    endToTextMs: number;
    framesWaitMs?: number;
    passWaitMs?: number;
  };
  recovered: boolean;
  work?: FinalPassWork;
}

export type SessionEvent =
  | { type: 'state'; state: SessionState; previous: SessionState; reason: string }
  | { type: 'wake'; keyword: string; score: number; seq: FrameSeq }
  | FinalEvent
  | { type: 'rejected'; trigger: Trigger; reason: string }
  | { type: 'queued'; trigger: Trigger; reason: string }
  | { type: 'error'; error: AppErrorData };

const FRAME_MS = 80;

/**
 * The voice session: one utterance at a time, from a trigger (wake word or push-to-talk) through
 * recording to the final transcript. Every transition is an event. A trigger that arrives while
 * an utterance is being transcribed is queued when it is a key press (one at most: the user
 * pressed on purpose) and rejected with a reason when it is a wake word (the assistant is busy);
 * nothing is dropped silently.
 *
 * Audio never passes through here: the session reasons in frame numbers, and the transcriber
 * (worker) and the capture ring buffer (main) hold the samples.
 */
export class VoiceSession {
  private stateNow: SessionState = 'idle';
  private nextId = 1;
  private latestSeq: FrameSeq = -1;
  private current:
    | {
        id: number;
        trigger: Trigger;
        keyword?: string;
        /** The frame the wake phrase ended in. */
        wakeSeq?: FrameSeq;
        fromSeq: FrameSeq;
        startedAt: number;
        maxTimer?: () => void;
      }
    | undefined;
  /** A key press that came while transcribing: where it went down and, once released, up. */
  private queued: { pressSeq: FrameSeq; releaseSeq?: FrameSeq } | undefined;
  private pttHeld = false;
  private readonly handlers = new Set<(event: SessionEvent) => void>();

  constructor(
    private readonly transcriber: UtteranceTranscriber,
    private settings: SessionSettings,
    private readonly clock: { now(): number; setTimeout(fn: () => void, ms: number): () => void } = realClock,
  ) {
    if (settings.wakeEnabled) this.state = { to: 'armed', reason: 'wake word on' };
  }

  get state(): SessionState {
    return this.stateNow;
  }

  private set state(change: { to: SessionState; reason: string }) {
    if (change.to === this.stateNow) return;
    const previous = this.stateNow;
    this.stateNow = change.to;
    this.emit({ type: 'state', state: change.to, previous, reason: change.reason });
  }

  onEvent(handler: (event: SessionEvent) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  configure(settings: SessionSettings): void {
    this.settings = settings;
    if (this.stateNow === 'idle' && settings.wakeEnabled) this.state = { to: 'armed', reason: 'wake word on' };
    if (this.stateNow === 'armed' && !settings.wakeEnabled) this.state = { to: 'idle', reason: 'wake word off' };
  }

  /** The newest captured frame: the session's clock for pre-roll and maximum duration. */
  frame(seq: FrameSeq): void {
    this.latestSeq = Math.max(this.latestSeq, seq);
  }

  /** A wake word fired on frame `seq` (the frame in which the phrase ended). */
  wake(keyword: string, score: number, seq: FrameSeq): void {
    this.frame(seq);
    if (this.stateNow === 'transcribing' || this.stateNow === 'recording') {
      this.emit({
        type: 'rejected',
        trigger: 'wake',
        reason: `"${keyword}" heard while ${this.stateNow === 'recording' ? 'already recording' : 'still transcribing'}`,
      });
      return;
    }
    if (this.stateNow !== 'armed') return; // wake word off: the detector should not be running
    this.emit({ type: 'wake', keyword, score, seq });
    this.begin('wake', seq, keyword);
  }

  /**
   * Speech ended (the VAD's silence hang-over ran out) on frame `seq`. After a wake word, the end
   * of the wake phrase's own speech does not count: a pause between "hey jarvis" and the command
   * would otherwise end the recording before the command.
   */
  speechEnded(seq: FrameSeq): void {
    this.frame(seq);
    const current = this.current;
    if (this.stateNow !== 'recording' || current?.trigger !== 'wake') return;
    const hangoverFrames = Math.ceil(this.settings.silenceHangoverMs / FRAME_MS);
    if (current.wakeSeq !== undefined && seq <= current.wakeSeq + hangoverFrames + 1) return;
    void this.end(seq, 'end of speech');
  }

  /** Push-to-talk key (or button) down. */
  pressStart(): void {
    if (this.pttHeld) return;
    this.pttHeld = true;
    if (this.stateNow === 'transcribing') {
      if (this.queued) {
        this.emit({ type: 'rejected', trigger: 'ptt', reason: 'one press is already waiting for the transcript' });
      } else {
        this.queued = { pressSeq: this.latestSeq };
        this.emit({ type: 'queued', trigger: 'ptt', reason: 'recording from the press once the transcript is ready' });
      }
      return;
    }
    if (this.stateNow === 'recording') {
      // A key press during a wake-word utterance takes it over: it now ends on release.
      if (this.current) this.current.trigger = 'ptt';
      return;
    }
    this.begin('ptt', this.latestSeq);
  }

  /** Push-to-talk key (or button) released. */
  pressEnd(): void {
    if (!this.pttHeld) return;
    this.pttHeld = false;
    if (this.queued && this.queued.releaseSeq === undefined) this.queued.releaseSeq = this.latestSeq;
    if (this.stateNow === 'recording' && this.current?.trigger === 'ptt') void this.end(this.latestSeq, 'key released');
  }

  /** Push-to-talk key tapped, not held (a hold key's tap): what the press started is dropped, no empty utterance. */
  pressCancel(reason = 'key tapped'): void {
    if (!this.pttHeld) return;
    this.pttHeld = false;
    if (this.queued && this.queued.releaseSeq === undefined) this.queued = undefined;
    else if (this.stateNow === 'recording' && this.current?.trigger === 'ptt') this.cancel(reason);
  }

  /** Ends whatever runs and goes back to armed or idle; an utterance being recorded is dropped. */
  cancel(reason = 'cancelled'): void {
    if (this.current && this.stateNow === 'recording') {
      this.current.maxTimer?.();
      this.transcriber.cancel(this.current.id);
      this.current = undefined;
      this.state = { to: this.restState(), reason };
    }
    this.queued = undefined;
  }

  private begin(trigger: Trigger, atSeq: FrameSeq, keyword?: string): void {
    const preRollFrames = Math.round(this.settings.preRollMs / FRAME_MS);
    const fromSeq = Math.max(0, atSeq + 1 - preRollFrames);
    const id = this.nextId++;
    const maxTimer = this.clock.setTimeout(() => {
      if (this.current?.id === id && this.stateNow === 'recording') void this.end(this.latestSeq, 'maximum duration');
    }, this.settings.maxUtteranceMs);
    this.current = {
      id,
      trigger,
      keyword,
      wakeSeq: trigger === 'wake' ? atSeq : undefined,
      fromSeq,
      startedAt: this.clock.now(),
      maxTimer,
    };
    this.transcriber.start({ id, trigger, fromSeq, latestSeq: this.latestSeq });
    this.state = { to: 'recording', reason: trigger === 'wake' ? `wake word "${keyword}"` : 'key pressed' };
  }

  private async end(toSeq: FrameSeq, reason: string): Promise<void> {
    const utterance = this.current;
    if (!utterance) return;
    utterance.maxTimer?.();
    const endedAt = this.clock.now();
    this.state = { to: 'transcribing', reason };
    try {
      const transcript = await this.transcriber.finish(utterance.id, toSeq);
      const done = this.clock.now();
      this.emit({
        type: 'final',
        id: utterance.id,
        trigger: utterance.trigger,
        keyword: utterance.keyword,
        fromSeq: utterance.fromSeq,
        toSeq,
        text: transcript.text,
        language: transcript.language,
        noSpeech: transcript.noSpeech,
        finalPass: transcript.finalPass ?? 'full',
        timings: {
          startedAt: utterance.startedAt,
          endedAt,
          recordingMs: endedAt - utterance.startedAt,
          encoderMs: transcript.encoderMs,
          decoderMs: transcript.decoderMs,
          endToTextMs: done - endedAt,
          ...(transcript.framesWaitMs !== undefined && { framesWaitMs: transcript.framesWaitMs }),
          ...(transcript.passWaitMs !== undefined && { passWaitMs: transcript.passWaitMs }),
        },
        recovered: transcript.recovered ?? false,
        ...(transcript.work && { work: transcript.work }),
      });
    } catch (error) {
      const data = error instanceof AppError ? error.toData() : { code: 'Internal' as const, message: String(error) };
      this.emit({ type: 'error', error: data });
    } finally {
      this.current = undefined;
      this.state = { to: this.restState(), reason: 'transcript done' };
      const queued = this.queued;
      this.queued = undefined;
      if (queued) {
        // The audio since the press is in the ring buffer: record from the press's pre-roll, and
        // end at the release if the key went up meanwhile.
        this.begin('ptt', queued.pressSeq);
        if (queued.releaseSeq !== undefined) void this.end(queued.releaseSeq, 'key released');
      }
    }
  }

  private restState(): SessionState {
    return this.settings.wakeEnabled ? 'armed' : 'idle';
  }

  private emit(event: SessionEvent): void {
    for (const handler of this.handlers) handler(event);
  }
}

const realClock = {
  now: () => performance.now(),
  setTimeout: (fn: () => void, ms: number) => {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};
