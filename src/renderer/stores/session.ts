import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { CommandOutcome } from '../../shared/commands';
import type { EventPayload } from '../../shared/ipc/contract';
import type { FinalTranscript, SessionProblem, SessionStateName, SessionStatus } from '../../shared/session';
import type { SessionOptions } from '../../shared/settings';
import { bridge } from '../bridge';
import { useCueSound } from '../composables/useCueSound';
import { busyCall } from './busy-call';
import { messageOf } from './error-message';

/** Finals kept for the Live view; the history keeps them all. */
export const MAX_FINALS = 50;
/** Problems shown at once; older ones give way. */
const MAX_PROBLEMS = 5;

export type AudioLevel = EventPayload<'audio:level'>;
export type PartialTranscript = EventPayload<'session:partial'>;
export interface FinalItem extends FinalTranscript {
  /** A key for the list: history ids are null for silence. */
  key: number;
}
export interface ProblemItem extends SessionProblem {
  key: number;
}

/** The voice session: its state, the live transcript, this run's finals, and the options around an utterance. */
export const useSessionStore = defineStore('session', () => {
  const status = ref<SessionStatus | null>(null);
  const state = ref<SessionStateName>('idle');
  const partial = ref<PartialTranscript | null>(null);
  const finals = ref<FinalItem[]>([]);
  /** The latest wake-word score per keyword (while armed). */
  const scores = ref<Record<string, number>>({});
  /** The last wake word heard (the first-run setup shows it). */
  const lastWake = ref<{ keyword: string; score: number; at: number } | null>(null);
  const problems = ref<ProblemItem[]>([]);
  /** Voice commands of this run, newest first. */
  const commands = ref<(CommandOutcome & { key: number })[]>([]);
  /** The latest input level while capture runs. */
  const level = ref<AudioLevel | null>(null);
  const loaded = ref(false);
  /** Start or stop in flight. */
  const toggling = ref(false);
  const saving = ref(false);
  const error = ref<string | null>(null);
  const cue = useCueSound();
  let nextKey = 1;

  const running = computed(() => status.value?.running ?? false);
  const options = computed(() => status.value?.options ?? null);
  const topScore = computed(() => {
    let top: { keyword: string; score: number } | null = null;
    for (const [keyword, score] of Object.entries(scores.value)) {
      if (!top || score > top.score) top = { keyword, score };
    }
    return top;
  });

  function applyStatus(next: SessionStatus): void {
    status.value = next;
    state.value = next.state;
    if (!next.running) {
      scores.value = {};
      level.value = null;
    }
    if (next.state === 'idle' || next.state === 'armed') partial.value = null;
  }

  async function load(): Promise<void> {
    try {
      applyStatus(await bridge().getSessionStatus());
      loaded.value = true;
      error.value = null;
    } catch (err) {
      error.value = messageOf(err);
    }
  }

  async function toggle(start: boolean): Promise<void> {
    if (toggling.value) return;
    toggling.value = true;
    try {
      applyStatus(await (start ? bridge().startSession() : bridge().stopSession()));
      error.value = null;
    } catch (err) {
      error.value = messageOf(err);
    } finally {
      toggling.value = false;
    }
  }

  function start(): Promise<void> {
    // A click: the one moment the browser lets an audio context start.
    if (options.value?.cueSound) cue.prime();
    return toggle(true);
  }

  const stop = (): Promise<void> => toggle(false);

  // Press and release run one after another: a release while the press is still starting the
  // session must reach main after it, or the session would keep recording with no key held.
  let pttQueue: Promise<void> = Promise.resolve();
  function queuePtt(call: () => Promise<SessionStatus>): Promise<void> {
    pttQueue = pttQueue.then(async () => {
      try {
        applyStatus(await call());
        error.value = null;
      } catch (err) {
        error.value = messageOf(err);
      }
    });
    return pttQueue;
  }

  function press(): Promise<void> {
    if (options.value?.cueSound) cue.prime();
    return queuePtt(() => bridge().pressToTalk());
  }

  const release = (): Promise<void> => queuePtt(() => bridge().releaseToTalk());

  /** Saves some of the options; on failure the previous ones stay and the error is shown. */
  async function setOptions(patch: Partial<SessionOptions>): Promise<boolean> {
    if (saving.value) return false;
    return busyCall(saving, error, async () => applyStatus(await bridge().setSessionOptions(patch)));
  }

  function addFinal(final: FinalTranscript): void {
    finals.value.unshift({ ...final, key: nextKey++ });
    if (finals.value.length > MAX_FINALS) finals.value.length = MAX_FINALS;
    partial.value = null;
  }

  function addProblem(problem: SessionProblem): void {
    problems.value.push({ ...problem, key: nextKey++ });
    if (problems.value.length > MAX_PROBLEMS) problems.value.splice(0, problems.value.length - MAX_PROBLEMS);
  }

  function dismissProblem(key: number): void {
    problems.value = problems.value.filter((p) => p.key !== key);
  }

  function clearFinals(): void {
    finals.value = [];
  }

  /** The session's events, for the whole app: finals that arrive while another view is open are kept. */
  function subscribe(): () => void {
    const api = bridge();
    const offs = [
      api.onSessionState((event) => {
        state.value = event.state;
        if (status.value) status.value = { ...status.value, state: event.state };
        // The partial stays up while the final is worked out; a new utterance starts clean.
        if (event.state !== 'transcribing') partial.value = null;
        if (event.state !== 'armed') scores.value = {};
      }),
      api.onSessionStatus(applyStatus),
      api.onWake((event) => {
        lastWake.value = { ...event, at: Date.now() };
        if (options.value?.cueSound) cue.play();
      }),
      api.onWakeScores((event) => {
        scores.value = event.scores;
      }),
      api.onPartialTranscript((event) => {
        partial.value = event;
      }),
      api.onFinalTranscript(addFinal),
      api.onSessionProblem(addProblem),
      api.onVoiceCommand((outcome) => {
        commands.value.unshift({ ...outcome, key: nextKey++ });
        if (commands.value.length > MAX_FINALS) commands.value.length = MAX_FINALS;
      }),
    ];
    return () => offs.splice(0).forEach((off) => off());
  }

  /** Input levels, for the view that shows them (they arrive up to 20 times a second). */
  function watchLevel(): () => void {
    const api = bridge();
    const offs = [
      api.onAudioLevel((next) => {
        level.value = next;
      }),
      api.onCaptureStatus((capture) => {
        if (capture.state !== 'capturing') level.value = null;
      }),
    ];
    return () => {
      offs.splice(0).forEach((off) => off());
      level.value = null;
    };
  }

  return {
    status,
    lastWake,
    state,
    partial,
    finals,
    commands,
    scores,
    problems,
    level,
    loaded,
    toggling,
    saving,
    error,
    running,
    options,
    topScore,
    load,
    start,
    stop,
    press,
    release,
    setOptions,
    dismissProblem,
    clearFinals,
    subscribe,
    watchLevel,
  };
});
