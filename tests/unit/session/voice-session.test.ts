// The voice session's state machine: wake-word and push-to-talk flows, pre-roll, queued and rejected triggers, limits and failures.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/shared/errors';
import {
  VoiceSession,
  type SessionEvent,
  type SessionSettings,
  type SessionTranscript,
  type UtteranceAudio,
  type UtteranceTranscriber,
} from '../../../src/main/session/voice-session';

/** A transcriber that answers each utterance when the test says so, recording what it was asked. */
class ScriptedTranscriber implements UtteranceTranscriber {
  started: UtteranceAudio[] = [];
  finished: { id: number; toSeq: number }[] = [];
  cancelled: number[] = [];
  private pending = new Map<number, { resolve: (t: SessionTranscript) => void; reject: (e: unknown) => void }>();

  start(utterance: UtteranceAudio): void {
    this.started.push(utterance);
  }
  finish(id: number, toSeq: number): Promise<SessionTranscript> {
    this.finished.push({ id, toSeq });
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }
  cancel(id: number): void {
    this.cancelled.push(id);
  }
  answer(id: number, text: string): void {
    this.pending.get(id)!.resolve({ text, language: 'en', noSpeech: text === '', encoderMs: 50, decoderMs: 100 });
  }
  fail(id: number, error: unknown): void {
    this.pending.get(id)!.reject(error);
  }
}

/** A clock the test moves by hand; timers fire as it passes them. */
class ManualClock {
  time = 0;
  private timers: { at: number; fn: () => void }[] = [];
  now = () => this.time;
  setTimeout = (fn: () => void, ms: number) => {
    const timer = { at: this.time + ms, fn };
    this.timers.push(timer);
    return () => (this.timers = this.timers.filter((t) => t !== timer));
  };
  advance(ms: number): void {
    this.time += ms;
    const due = this.timers.filter((t) => t.at <= this.time);
    this.timers = this.timers.filter((t) => t.at > this.time);
    due.forEach((t) => t.fn());
  }
}

const SETTINGS: SessionSettings = { preRollMs: 300, maxUtteranceMs: 15_000, wakeEnabled: true, silenceHangoverMs: 600 };
const flush = () => new Promise((r) => setTimeout(r, 0));

function setup(settings: Partial<SessionSettings> = {}) {
  const transcriber = new ScriptedTranscriber();
  const clock = new ManualClock();
  const session = new VoiceSession(transcriber, { ...SETTINGS, ...settings }, clock);
  const events: SessionEvent[] = [];
  session.onEvent((e) => events.push(e));
  const states = () => events.filter((e) => e.type === 'state').map((e) => (e as { state: string }).state);
  return { transcriber, clock, session, events, states };
}

describe('VoiceSession', () => {
  it('records from the wake word with its pre-roll, ends on end of speech and goes back to armed with the final', async () => {
    const { transcriber, clock, session, events, states } = setup();
    expect(session.state).toBe('armed');
    session.frame(40);
    session.wake('hey_jarvis', 0.93, 50);
    // 300 ms of pre-roll: frames 47–50 (4 × 80 ms) before the phrase ended, inclusive.
    expect(transcriber.started).toEqual([{ id: 1, trigger: 'wake', fromSeq: 47, latestSeq: 50 }]);
    expect(session.state).toBe('recording');
    // The wake phrase's own end of speech (600 ms of hang-over after it) does not end the recording.
    session.speechEnded(58);
    expect(session.state).toBe('recording');
    clock.advance(2400);
    session.speechEnded(80);
    expect(session.state).toBe('transcribing');
    expect(transcriber.finished).toEqual([{ id: 1, toSeq: 80 }]);
    clock.advance(180);
    transcriber.answer(1, 'turn on the lights');
    await flush();
    expect(session.state).toBe('armed');
    expect(states()).toEqual(['recording', 'transcribing', 'armed']);
    expect(events.find((e) => e.type === 'wake')).toEqual({
      type: 'wake',
      keyword: 'hey_jarvis',
      score: 0.93,
      seq: 50,
    });
    expect(events.find((e) => e.type === 'final')).toEqual({
      type: 'final',
      id: 1,
      trigger: 'wake',
      keyword: 'hey_jarvis',
      fromSeq: 47,
      toSeq: 80,
      text: 'turn on the lights',
      language: 'en',
      noSpeech: false,
      finalPass: 'full',
      timings: { startedAt: 0, endedAt: 2400, recordingMs: 2400, encoderMs: 50, decoderMs: 100, endToTextMs: 180 },
      recovered: false,
    });
  });

  it('runs push-to-talk from idle: press to release, with pre-roll from the press', async () => {
    const { transcriber, session, states } = setup({ wakeEnabled: false });
    expect(session.state).toBe('idle');
    session.frame(100);
    session.pressStart();
    expect(transcriber.started).toEqual([{ id: 1, trigger: 'ptt', fromSeq: 97, latestSeq: 100 }]);
    session.frame(130);
    // End of speech does not end a push-to-talk utterance; the release does.
    session.speechEnded(120);
    expect(session.state).toBe('recording');
    session.pressEnd();
    expect(transcriber.finished).toEqual([{ id: 1, toSeq: 130 }]);
    transcriber.answer(1, 'hello');
    await flush();
    expect(states()).toEqual(['recording', 'transcribing', 'idle']);
  });

  it("drops what a hold key's tap started: the recording, or a press queued while transcribing", async () => {
    const { transcriber, session, events, states } = setup({ wakeEnabled: false });
    session.frame(10);
    session.pressStart();
    session.pressCancel();
    expect(transcriber.cancelled).toEqual([1]);
    expect(transcriber.finished).toEqual([]);
    expect(states()).toEqual(['recording', 'idle']);
    expect(events.at(-1)).toMatchObject({ type: 'state', state: 'idle', reason: 'key tapped' });
    // A tap while the previous utterance is transcribing: its queued press goes, the transcript stays.
    session.pressStart();
    session.frame(20);
    session.pressEnd();
    session.pressStart();
    expect(events.at(-1)).toMatchObject({ type: 'queued', trigger: 'ptt' });
    session.pressCancel();
    transcriber.answer(2, 'kept');
    await flush();
    expect(transcriber.started.map((s) => s.id)).toEqual([1, 2]);
    expect(events.filter((e) => e.type === 'final').map((e) => (e as { text: string }).text)).toEqual(['kept']);
    expect(session.state).toBe('idle');
    // A cancel with no key held does nothing.
    session.pressCancel();
    expect(session.state).toBe('idle');
  });

  it('rejects a wake word while busy, with the reason, and changes nothing', () => {
    const { session, events } = setup();
    session.wake('alexa', 0.9, 10);
    session.wake('alexa', 0.95, 14);
    expect(events.filter((e) => e.type === 'rejected')).toEqual([
      { type: 'rejected', trigger: 'wake', reason: '"alexa" heard while already recording' },
    ]);
    session.speechEnded(30);
    session.wake('hey_jarvis', 0.9, 35);
    expect(events.at(-1)).toEqual({
      type: 'rejected',
      trigger: 'wake',
      reason: '"hey_jarvis" heard while still transcribing',
    });
    expect(session.state).toBe('transcribing');
  });

  it('queues one key press made while transcribing and records it from the press once the text is in', async () => {
    const { transcriber, session, events } = setup({ wakeEnabled: false });
    session.frame(10);
    session.pressStart();
    session.frame(40);
    session.pressEnd();
    session.frame(45);
    session.pressStart(); // while transcribing
    expect(events.at(-1)).toMatchObject({ type: 'queued', trigger: 'ptt' });
    session.frame(60);
    session.pressEnd();
    session.pressStart(); // a second one waits for nothing: refused
    expect(events.at(-1)).toMatchObject({ type: 'rejected', trigger: 'ptt' });
    session.pressEnd();
    transcriber.answer(1, 'first');
    await flush();
    // The queued press: its audio started at frame 45 (pre-roll from 42) and ended at the release, 60,
    // which was already captured when it started.
    expect(transcriber.started[1]).toEqual({ id: 2, trigger: 'ptt', fromSeq: 42, latestSeq: 60 });
    expect(transcriber.finished[1]).toEqual({ id: 2, toSeq: 60 });
    transcriber.answer(2, 'second');
    await flush();
    expect(events.filter((e) => e.type === 'final').map((e) => (e as { text: string }).text)).toEqual([
      'first',
      'second',
    ]);
    expect(session.state).toBe('idle');
  });

  it('ends a recording at the maximum duration', () => {
    const { transcriber, clock, session, events } = setup({ maxUtteranceMs: 10_000 });
    session.wake('alexa', 0.9, 5);
    session.frame(130);
    clock.advance(9_999);
    expect(session.state).toBe('recording');
    clock.advance(1);
    expect(session.state).toBe('transcribing');
    expect(transcriber.finished).toEqual([{ id: 1, toSeq: 130 }]);
    expect(events.at(-1)).toMatchObject({ type: 'state', state: 'transcribing', reason: 'maximum duration' });
  });

  it('reports a failed transcription as an error event and goes back to listening', async () => {
    const { transcriber, session, events } = setup();
    session.wake('alexa', 0.9, 5);
    session.speechEnded(20);
    transcriber.fail(1, new AppError('WorkerCrashed', 'The inference worker stopped.'));
    await flush();
    expect(events.find((e) => e.type === 'error')).toEqual({
      type: 'error',
      error: { code: 'WorkerCrashed', message: 'The inference worker stopped.' },
    });
    expect(session.state).toBe('armed');
  });

  it('cancels a recording, and follows the wake-word setting between utterances', () => {
    const { transcriber, session, states } = setup();
    session.wake('alexa', 0.9, 5);
    session.cancel('user cancelled');
    expect(transcriber.cancelled).toEqual([1]);
    expect(session.state).toBe('armed');
    session.configure({ ...SETTINGS, wakeEnabled: false });
    expect(session.state).toBe('idle');
    session.wake('alexa', 0.9, 9); // the detector is off: ignored
    expect(session.state).toBe('idle');
    session.configure({ ...SETTINGS, wakeEnabled: true });
    expect(states()).toEqual(['recording', 'armed', 'idle', 'armed']);
  });
});
