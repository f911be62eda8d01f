import { PIPELINE_SAMPLE_RATE } from '../../shared/audio';
import { AppError, type AppErrorData } from '../../shared/errors';
import type { EventPayload } from '../../shared/ipc/contract';
import type { FinalTranscript, SessionProblem, SessionStatus } from '../../shared/session';
import type { OutputMode, SessionOptions } from '../../shared/settings';
import type { AudioEngine } from '../audio/audio-engine';
import type { HistoryStore } from '../history/history-store';
import type { InferenceService } from '../inference/inference-service';
import type { Logger } from '../log';
import type { ProfileService } from '../profiles/profile-service';
import type { SettingsService } from '../settings/settings-service';
import { asrSettingsFor } from './asr-settings';
import type { TextOutput } from '../actions/text-output';
import { systemOpener, type SystemOpener } from '../actions/command-actions';
import { VoiceCommands, type HeardCommand } from '../actions/voice-commands';
import type { HistoryTrigger } from '../history/history-store';
import type { CommandRecord, UserCommand } from '../../shared/commands';
import { VoiceSession, type FinalEvent, type SessionEvent } from './voice-session';
import { WorkerUtterances } from './worker-utterances';

/** Audio kept from before the wake phrase ended or the key went down (the default). */
export const PRE_ROLL_MS = 300;
/** Longest utterance: recording ends here whatever the VAD hears. */
export const MAX_UTTERANCE_MS = 30_000;
/** The worker state key of the loaded speech model. */
const PREPARE_KEY = 'asr-model';

type SessionChannel =
  | 'session:state'
  | 'session:wake'
  | 'session:wake-scores'
  | 'session:partial'
  | 'session:final'
  | 'session:problem'
  | 'session:command'
  | 'app:show-view'
  | 'session:status-changed'
  | 'history:changed';

/** What the session tells its hosts: exactly the contract's events, so binding them is one line. */
export type SessionUpdate = { [C in SessionChannel]: { channel: C; payload: EventPayload<C> } }[SessionChannel];

export interface SessionServiceOptions {
  audio: AudioEngine;
  inference: InferenceService;
  profiles: ProfileService;
  settings: SettingsService;
  history: HistoryStore;
  /** Puts finals where the user wants them (the clipboard, the focused app). */
  output: TextOutput;
  /** The output for this run only (`listen --output`), whatever the settings say. */
  outputForThisRun?: OutputMode;
  userModelsDir: string;
  log: Logger;
  /** false: push-to-talk only for this run (`listen --ptt`), whatever wake words are active. */
  wakeWord?: boolean;
  /** What voice commands need from the host: opening apps and addresses, and its window. */
  commandHost?: CommandHost;
}

/** The host's part in voice commands. */
export interface CommandHost {
  opener: SystemOpener;
  /** True where the host has a window that shows a view when asked (`app:show-view`). */
  hasWindow: boolean;
  /** Asks in the window before a program command's first run; absent where none can ask. */
  confirmProgram?(command: UserCommand): Promise<boolean>;
}

export type ShortcutState = SessionStatus['shortcut'];
export type HoldKeyState = SessionStatus['holdKey'];

/**
 * The voice session as a service: it joins capture, the worker's wake word, VAD and Whisper
 * (through VoiceSession and WorkerUtterances) to the history and the text output, and reports
 * every step as a contract event. The Electron window, `earshot serve` and `earshot listen`
 * all drive this one class.
 */
export class SessionService {
  private readonly session: VoiceSession;
  private readonly updateListeners = new Set<(update: SessionUpdate) => void>();
  private readonly disposers: (() => void)[] = [];
  private running = false;
  private pressed = false;
  /** Counts presses and releases: a press still starting the session is stale once this moved on. */
  private presses = 0;
  private starting: Promise<void> | undefined;
  /** Set by a host that registers the global shortcut (the desktop app); null elsewhere. */
  private shortcut: ShortcutState | null = null;
  /** Set by a host that watches the hold key (the desktop app, `serve --hold-key`); null elsewhere. */
  private holdKey: HoldKeyState | null = null;
  private deviceLost = false;
  private readonly commands: VoiceCommands;
  /** The last dictation, for "scratch that" and "copy that". */
  private lastDictation: { historyId: number | null; text: string } | null = null;

  constructor(private readonly options: SessionServiceOptions) {
    const utterances = new WorkerUtterances(
      options.inference.worker,
      () => {
        const profile = options.profiles.active();
        return { asr: asrSettingsFor(profile, options.userModelsDir), partialIntervalMs: profile.partialIntervalMs };
      },
      (fromSeq, toSeq) => options.audio.framesAudio(fromSeq, toSeq),
      (fromSeq, toSeq) => options.inference.framesLostBetween(fromSeq, toSeq),
      options.log,
    );
    this.session = new VoiceSession(utterances, this.sessionSettings());
    this.commands = this.voiceCommands(options.commandHost ?? { opener: systemOpener(), hasWindow: false });
    this.disposers.push(
      this.session.onEvent((event) => void this.onSessionEvent(event)),
      options.audio.onFrame((_samples, seq) => this.session.frame(seq)),
      options.inference.onEvent((event) => {
        if (!this.running) return;
        if (event.type === 'wake') this.session.wake(event.keyword, event.score, event.seq);
        else if (event.type === 'vad' && event.event === 'speech-end') this.session.speechEnded(event.seq);
        else if (event.type === 'wake-scores')
          this.emit({ channel: 'session:wake-scores', payload: { scores: event.scores } });
        else if (event.type === 'partial' && this.session.state === 'recording')
          this.emit({ channel: 'session:partial', payload: { stable: event.stable, unstable: event.unstable } });
      }),
      options.audio.onStatus((status) => {
        if (!this.running) return;
        if (status.state === 'unavailable' && !this.deviceLost) {
          this.deviceLost = true;
          this.problem('error', {
            code: 'DeviceLost',
            message: status.message ?? 'The microphone stopped delivering audio.',
          });
        } else if (status.state === 'capturing') {
          this.deviceLost = false;
        }
      }),
      options.profiles.onActiveChanged(() => {
        this.session.configure(this.sessionSettings());
        if (this.running) this.prepareModel();
      }),
      options.settings.onChange((next, previous) => {
        if (next.wake.keywords.join() !== previous.wake.keywords.join()) this.session.configure(this.sessionSettings());
        if (JSON.stringify(next.session) !== JSON.stringify(previous.session)) this.statusChanged();
      }),
    );
  }

  get state(): VoiceSession['state'] {
    return this.session.state;
  }

  status(): SessionStatus {
    return {
      state: this.session.state,
      running: this.running,
      wakeEnabled: this.wakeEnabled(),
      keywords: this.options.inference.activeKeywords(),
      pressed: this.pressed,
      options: this.options.settings.get().session,
      shortcut: this.shortcut
        ? { ...this.shortcut }
        : {
            accelerator: this.options.settings.get().session.toggleShortcut,
            registered: false,
            problem: 'Global shortcuts work in the desktop app only.',
          },
      holdKey: this.holdKey
        ? { ...this.holdKey }
        : {
            key: this.options.settings.get().session.holdKey,
            active: false,
            problem: 'The hold key works in the desktop app, and with `earshot serve --hold-key`.',
          },
    };
  }

  onUpdate(listener: (update: SessionUpdate) => void): () => void {
    this.updateListeners.add(listener);
    return () => this.updateListeners.delete(listener);
  }

  /** Starts capture and the worker, then listens for the wake words (if any are on). */
  async start(): Promise<SessionStatus> {
    this.starting ??= (async () => {
      try {
        if (!this.running) {
          await this.options.inference.startListening();
          this.prepareModel();
          this.running = true;
          this.deviceLost = false;
          this.session.configure(this.sessionSettings());
          this.statusChanged(); // other windows, and starts by the global shortcut
        }
      } finally {
        this.starting = undefined;
      }
    })();
    await this.starting;
    return this.status();
  }

  /** Stops listening; an utterance being recorded is dropped, one being transcribed still arrives. */
  async stop(): Promise<SessionStatus> {
    await this.starting?.catch(() => undefined);
    this.pressed = false;
    this.session.cancel('session stopped');
    this.running = false;
    this.session.configure(this.sessionSettings());
    await this.options.inference.stopListening();
    this.statusChanged();
    return this.status();
  }

  /** Push-to-talk down: records from the press (with pre-roll), starting the session if needed. */
  async press(): Promise<SessionStatus> {
    const press = ++this.presses;
    if (!this.running) await this.start();
    // Let go (or tapped) while the session was still starting: nothing was heard, nothing to record.
    if (press !== this.presses) return this.status();
    this.pressed = true;
    this.session.pressStart();
    return this.status();
  }

  release(): SessionStatus {
    this.presses++;
    this.pressed = false;
    this.session.pressEnd();
    return this.status();
  }

  /** A hold key let go too soon to be meant: the recording it started is dropped. */
  tap(): SessionStatus {
    this.presses++;
    this.pressed = false;
    this.session.pressCancel('key tapped');
    return this.status();
  }

  /** The global shortcut: a toggle, since desktops report no key release to it. */
  async toggle(): Promise<SessionStatus> {
    return this.pressed ? this.release() : this.press();
  }

  setOptions(patch: Partial<SessionOptions>): SessionStatus {
    const current = this.options.settings.get().session;
    this.options.settings.update({ session: { ...current, ...patch } });
    return this.status();
  }

  /** A problem found outside the session (the host's shortcut registration), shown with the session's. */
  reportProblem(error: { code: AppErrorData['code']; message: string }): void {
    this.problem('error', error);
  }

  /** The host reports whether it watches the hold key, or why not. */
  setHoldKeyState(state: HoldKeyState): void {
    this.holdKey = state;
    this.statusChanged();
  }

  /** The host reports how its global shortcut registration went. */
  setShortcutState(state: ShortcutState): void {
    this.shortcut = state;
    this.statusChanged();
  }

  async dispose(): Promise<void> {
    this.disposers.splice(0).forEach((dispose) => dispose());
    if (this.running) await this.stop();
  }

  /**
   * Loads the profile's Whisper model now, not at the first utterance: a load takes about a
   * second, and the final would wait for it. Kept as worker state, so a respawned worker loads
   * it again. Not awaited: listening starts at once, and a failure is reported as a problem.
   */
  private prepareModel(): void {
    const asr = asrSettingsFor(this.options.profiles.active(), this.options.userModelsDir);
    this.options.inference.worker.configure(PREPARE_KEY, { type: 'asr-prepare', asr }).catch((error: unknown) => {
      this.options.log.error('could not load the speech model', error);
      this.problem('error', errorData(error, 'The speech model could not be loaded.'));
    });
  }

  private wakeEnabled(): boolean {
    return (this.options.wakeWord ?? true) && this.options.inference.activeKeywords().length > 0;
  }

  private sessionSettings() {
    return {
      preRollMs: PRE_ROLL_MS,
      maxUtteranceMs: MAX_UTTERANCE_MS,
      wakeEnabled: this.running && this.wakeEnabled(),
      silenceHangoverMs: this.options.profiles.active().vad.silenceHangoverMs,
    };
  }

  private async onSessionEvent(event: SessionEvent): Promise<void> {
    switch (event.type) {
      case 'state':
        this.emit({
          channel: 'session:state',
          payload: { state: event.state, previous: event.previous, reason: event.reason },
        });
        break;
      case 'wake':
        this.emit({ channel: 'session:wake', payload: { keyword: event.keyword, score: event.score } });
        break;
      case 'final':
        await this.finish(event);
        break;
      case 'rejected':
      case 'queued':
        this.problem(event.type, { code: null, message: event.reason });
        break;
      case 'error':
        this.problem('error', event.error);
        break;
    }
  }

  /**
   * A final transcript: a voice command runs (and its text goes nowhere else); dictation goes into
   * the history (with its audio, if kept), then where the user wants it. Then out.
   */
  private async finish(event: FinalEvent): Promise<void> {
    const options = this.options.settings.get().session;
    const spoken = !event.noSpeech && event.text.trim() !== '';
    const heard = spoken ? this.commands.recognise(event.text, event.trigger, event.keyword ?? null) : null;
    if (heard) return this.finishCommand(event, heard);
    const historyId = spoken ? this.save(event, event.trigger) : null;
    if (spoken) this.lastDictation = { historyId, text: event.text };
    const output = spoken
      ? await this.options.output.deliver(event.text, this.options.outputForThisRun ?? options.output, options)
      : { delivered: 'history' as const, app: null, problems: [] };
    for (const { kind, code, message } of output.problems) this.problem(kind, { code, message });
    this.emitFinal(event, historyId, { delivered: output.delivered, app: output.app });
  }

  /** A voice command: it runs, then its words and what it did go into the history and out. */
  private async finishCommand(event: FinalEvent, heard: HeardCommand): Promise<void> {
    const result = await this.commands.run(heard);
    const record = { id: heard.command, slots: heard.slots, ok: result.ok, message: result.message };
    const historyId = this.save(event, 'command', record);
    this.emitFinal(event, historyId, { delivered: 'history', app: null });
    this.emit({
      channel: 'session:command',
      payload: {
        command: heard.command,
        slots: heard.slots,
        ok: result.ok,
        message: result.message,
        score: heard.score,
        text: heard.text,
        historyId,
      },
    });
  }

  /** Saves a final in the history; null (and a problem said) when it could not be. */
  private save(event: FinalEvent, trigger: HistoryTrigger, command?: CommandRecord): number | null {
    const { settings, profiles, audio, history } = this.options;
    try {
      const samples = settings.get().session.retainAudio ? audio.framesAudio(event.fromSeq, event.toSeq) : undefined;
      const entry = history.add(
        {
          text: event.text,
          language: event.language,
          trigger,
          keyword: event.keyword ?? null,
          profile: profiles.active().id,
          device: audio.status.device?.name ?? null,
          durationMs: Math.round(event.timings.recordingMs),
          latency: {
            encoder_ms: Math.round(event.timings.encoderMs),
            decoder_ms: Math.round(event.timings.decoderMs),
            end_to_text_ms: Math.round(event.timings.endToTextMs),
          },
          ...(command && { command }),
        },
        samples ? { samples, sampleRate: PIPELINE_SAMPLE_RATE } : undefined,
      );
      return entry.id;
    } catch (error) {
      this.options.log.error('could not save the transcript in the history', error);
      this.problem('error', errorData(error, 'The transcript could not be saved in the history.'));
      return null;
    }
  }

  private emitFinal(event: FinalEvent, historyId: number | null, output: FinalTranscript['output']): void {
    this.emit({
      channel: 'session:final',
      payload: {
        historyId,
        text: event.text,
        language: event.language,
        trigger: event.trigger,
        keyword: event.keyword ?? null,
        noSpeech: event.noSpeech,
        finalPass: event.finalPass,
        recovered: event.recovered,
        output,
        ...(event.work && { work: event.work }),
        timings: {
          ...event.timings,
          startedAt: wallClock(event.timings.startedAt),
          endedAt: wallClock(event.timings.endedAt),
        },
      },
    });
    if (historyId !== null) this.emit({ channel: 'history:changed', payload: { count: this.options.history.count() } });
  }

  /** The voice commands, acting on this session and its host. */
  private voiceCommands(host: CommandHost): VoiceCommands {
    const { profiles, settings, output, history } = this.options;
    return new VoiceCommands({
      profiles,
      settings,
      opener: host.opener,
      keys: () => output.keys,
      listening: () => this.running,
      startListening: async () => void (await this.start()),
      stopListening: async () => void (await this.stop()),
      showView: (view) => {
        if (!host.hasWindow) return false;
        this.emit({ channel: 'app:show-view', payload: { view: view ?? '' } });
        return true;
      },
      ...(host.confirmProgram && { confirmProgram: host.confirmProgram }),
      takeBackLastDictation: async () => {
        const last = this.lastDictation;
        this.lastDictation = null;
        if (!last) return { ok: false, message: 'There is no dictation to take back.' };
        const notUndone = await output.takeBack();
        if (last.historyId !== null && history.markDeleted(last.historyId))
          this.emit({ channel: 'history:changed', payload: { count: history.count() } });
        const quoted = `"${last.text.trim()}"`;
        return {
          ok: true,
          message: notUndone
            ? `Took ${quoted} out of the history; it is still in the app (${notUndone}).`
            : `Took ${quoted} back, from the app and the history.`,
        };
      },
      copyLastDictation: async () => {
        const last = this.lastDictation;
        if (!last) return { ok: false, message: 'There is no dictation to copy.' };
        const problem = await output.copyText(last.text.trim());
        return problem ? { ok: false, message: problem.message } : { ok: true, message: 'Copied the last dictation.' };
      },
    });
  }

  private problem(kind: SessionProblem['kind'], error: { code: AppErrorData['code'] | null; message: string }) {
    this.emit({ channel: 'session:problem', payload: { kind, code: error.code, message: error.message } });
  }

  private statusChanged(): void {
    this.emit({ channel: 'session:status-changed', payload: this.status() });
  }

  private emit(update: SessionUpdate): void {
    for (const listener of this.updateListeners) {
      try {
        listener(update);
      } catch (error) {
        this.options.log.warn(`a listener failed on ${update.channel}`, error);
      }
    }
  }
}

/** The session clock is performance.now(); the renderer wants wall-clock times. */
function wallClock(performanceMs: number): number {
  return Math.round(performance.timeOrigin + performanceMs);
}

function errorData(error: unknown, fallback: string): AppErrorData {
  return error instanceof AppError ? error.toData() : { code: 'Internal', message: fallback };
}
