import { createInterface } from 'node:readline';
import { AppError } from '../../../../shared/errors';
import { openHistory } from '../../../history/open-history';
import { createLogger } from '../../../log';
import { systemDesktop } from '../../../actions/system-desktop';
import { TextOutput } from '../../../actions/text-output';
import { OUTPUT_MODES, type OutputMode } from '../../../../shared/settings';
import { DEFAULT_TAP_MS, parseHoldKey, type HoldKeySpec } from '../../../../shared/hold-key';
import { startHoldKey } from '../../../actions/hold-key';
import { sessionHoldEvents } from '../../../actions/hold-key-service';
import { SessionService, type SessionUpdate } from '../../../session/session-service';
import { accelerationNotices } from '../../services';
import { historyDbPath, userModelsDir } from '../../../settings/config-dir';
import { AUDIO_OPTIONS, AUDIO_OPTIONS_HELP, audioServicesFrom, useDevice } from '../audio-options';
import { EXIT_OK, integerOption, UsageError, type CliCommand } from '../command';

type Printer = (event: Record<string, unknown>, text: string) => void;

export const listenCommand: CliCommand = {
  name: 'listen',
  summary: 'Run a live voice session: wake word or push-to-talk to a transcript, saved in the history',
  usage: [
    'earshot listen [--device ID|NAME|auto] [--keyword NAME ...] [--profile NAME] [--ptt] [--hold-key KEY [--tap-ms N]]',
    '               [--output history|clipboard|paste|type] [--max-utterances N] [--json] [--config-dir DIR] [--input-wav FILE]',
    '',
    '  --device D          the microphone for this run (default: the saved choice, or the lowest latency)',
    '  --keyword NAME      a wake word for this run (repeatable; default: the saved ones). Not saved.',
    '  --profile NAME      a profile for this run (default: the active one). Not saved.',
    '  --ptt               push-to-talk: type start and stop (one per line) on stdin; no wake word',
    '  --hold-key KEY      record while KEY is held, in any app (X11): RightCtrl, RightAlt, F9, Ctrl+Space, …;',
    '                      the wake word still listens unless --ptt is given',
    '  --tap-ms N          a hold shorter than N ms is a tap and is ignored (default 250)',
    '  --output MODE       where finals go besides the history, for this run (default: the saved choice):',
    '                      history (nowhere else), clipboard, paste (into the focused app; the clipboard',
    '                      is put back after), type (as keystrokes). Not saved.',
    '  --max-utterances N  exit after N final transcripts',
    '  --json              one event per line: {"type":"ready","device"}, {"type":"state","state"},',
    '                      {"type":"wake","keyword","score","t"}, {"type":"partial","text"},',
    '                      {"type":"final","text","language","trigger","output","app","timings":{…}},',
    '                      {"type":"command","command","slots":{…},"ok","message","score","text","history_id"},',
    '                      {"type":"error","code","message"}, {"type":"notice","code","message"},',
    '                      {"type":"device","state":"capturing","device"} when a lost microphone is back,',
    '                      {"type":"hold-key","key","tap_ms"} once the hold key is watched',
    AUDIO_OPTIONS_HELP,
    '',
    "The profile's model, decoding, wake-word and VAD settings apply. With a wake word, recording",
    "starts 300 ms before the phrase ended and stops at the end of speech (the profile's silence",
    'hang-over). Finals are saved in the history (earshot history), then pasted, typed or copied as the',
    'output setting says (X11: xdotool and xclip; Wayland: wtype or ydotool). Ctrl-C ends the session.',
  ].join('\n'),
  options: {
    device: { type: 'string' },
    keyword: { type: 'string', multiple: true },
    profile: { type: 'string' },
    ptt: { type: 'boolean' },
    'hold-key': { type: 'string' },
    'tap-ms': { type: 'string' },
    output: { type: 'string' },
    'max-utterances': { type: 'string' },
    json: { type: 'boolean' },
    ...AUDIO_OPTIONS,
  },
  opensAudio: true,
  async run({ values, io, stopRequested }) {
    const maxUtterances = integerOption(values['max-utterances'], 'max-utterances', 1, 1_000_000);
    const ptt = Boolean(values.ptt);
    const tapMs = integerOption(values['tap-ms'], 'tap-ms', 0, 10_000) ?? DEFAULT_TAP_MS;
    let holdKey: HoldKeySpec | undefined;
    if (values['hold-key'] !== undefined) {
      try {
        holdKey = parseHoldKey(values['hold-key'] as string);
      } catch (error) {
        throw error instanceof AppError ? new UsageError(error.message) : error;
      }
    }
    const output = values.output as string | undefined;
    if (output !== undefined && !(OUTPUT_MODES as readonly string[]).includes(output))
      throw new UsageError(`--output takes ${OUTPUT_MODES.join(', ')}, not "${output}"`);
    const json = Boolean(values.json);
    const log = createLogger('listen');
    const core = await audioServicesFrom(values, log);
    const device = (values.device as string | undefined) ?? 'auto';
    if (device !== 'auto') await useDevice(core.audio, device);
    try {
      if (values.profile !== undefined) core.profiles.useForThisRun(values.profile as string);
      const keywords = values.keyword as string[] | undefined;
      if (keywords?.length) core.inference.useKeywordsForThisRun(keywords);
    } catch (error) {
      // A name that is not on offer is a usage mistake (exit 2), and the message lists the choices.
      throw error instanceof AppError ? new UsageError(error.message) : error;
    }
    const history = openHistory(historyDbPath(), log, core.settings.get().session.recordingsCapMb);
    for (const notice of history.notices) io.err(notice.message);

    const started = performance.now();
    const print: Printer = (event, text) => (json ? io.out(JSON.stringify(event)) : io.out(text));
    const session = new SessionService({
      ...core,
      history: history.store,
      output: new TextOutput(systemDesktop()),
      ...(output !== undefined && { outputForThisRun: output as OutputMode }),
      userModelsDir: userModelsDir(),
      log,
      wakeWord: !ptt,
    });

    let finals = 0;
    let finished!: () => void;
    const enough = new Promise<void>((resolve) => (finished = resolve));
    // Lines from starting (the session arming, a notice) wait until "ready" is out: it is always the first line.
    let held: (() => void)[] | undefined = [];
    const say = (line: () => void) => (held ? held.push(line) : line());
    const show = (update: SessionUpdate) => {
      printUpdate(update, print, (performance.now() - started) / 1000);
      if (update.channel === 'session:final' && maxUtterances !== undefined && ++finals >= maxUtterances) finished();
    };
    session.onUpdate((update) => say(() => show(update)));
    // A profile that asked for the GPU, and Whisper on the CPU instead: said like any notice.
    const stopNotices = accelerationNotices(core.inference, ({ code, message }) =>
      say(() => print({ type: 'notice', code, message }, `note: ${message}`)),
    );
    // The session reports a lost microphone; the CLI also says when capture is back.
    let lost = false;
    const stopStatus = core.audio.onStatus((status) => {
      if (status.state === 'unavailable') lost = true;
      else if (status.state === 'capturing' && lost) {
        lost = false;
        const name = status.device?.name ?? null;
        print({ type: 'device', state: 'capturing', device: name }, `Listening again on ${name ?? '?'}.`);
      }
    });

    let lines: ReturnType<typeof createInterface> | undefined;
    let stopHoldKey: (() => void) | undefined;
    try {
      await session.start();
      const status = core.audio.status;
      print({ type: 'ready', device: status.device?.name ?? null }, `Listening on ${status.device?.name ?? '?'}…`);
      held.splice(0).forEach((line) => line());
      held = undefined;
      if (ptt) {
        lines = createInterface({ input: process.stdin });
        lines.on('line', (line) => {
          const command = line.trim().toLowerCase();
          if (command === 'start') void session.press();
          else if (command === 'stop') session.release();
          else if (command) io.err(`push-to-talk takes "start" or "stop", not "${command}"`);
        });
      }
      if (holdKey) {
        stopHoldKey = startHoldKey(holdKey, sessionHoldEvents(session, log), tapMs);
        print(
          { type: 'hold-key', key: holdKey.text, tap_ms: tapMs },
          `Hold ${holdKey.text} to talk (holds under ${tapMs} ms are ignored).`,
        );
      }
      await Promise.race([enough, stopRequested]);
    } catch (error) {
      if (error instanceof AppError)
        print({ type: 'error', code: error.code, message: error.message }, `error: ${error.message}`);
      throw error;
    } finally {
      stopHoldKey?.();
      stopNotices();
      lines?.close();
      stopStatus();
      await session.dispose();
      await core.inference.dispose();
      history.store.close();
    }
    return EXIT_OK;
  },
};

/** How the text line says where a final went. */
const DELIVERED: Record<OutputMode, string> = {
  history: '',
  clipboard: ', copied',
  paste: ', pasted',
  type: ', typed',
};

/** One session update as the CLI shows it: a JSON line (snake_case), or a line of text. */
function printUpdate(update: SessionUpdate, print: Printer, seconds: number): void {
  switch (update.channel) {
    case 'session:state': {
      const { state, reason } = update.payload;
      print({ type: 'state', state, reason }, `[${state}] ${reason}`);
      break;
    }
    case 'session:wake': {
      const { keyword, score } = update.payload;
      print(
        { type: 'wake', keyword, score: Number(score.toFixed(3)), t: Number(seconds.toFixed(2)) },
        `wake word ${keyword} (${score.toFixed(2)})`,
      );
      break;
    }
    case 'session:partial': {
      const text = `${update.payload.stable} ${update.payload.unstable}`.trim();
      if (text) print({ type: 'partial', text }, `… ${text}`);
      break;
    }
    case 'session:final': {
      const final = update.payload;
      const timings = {
        started_at: new Date(final.timings.startedAt).toISOString(),
        ended_at: new Date(final.timings.endedAt).toISOString(),
        recording_ms: Math.round(final.timings.recordingMs),
        encoder_ms: Math.round(final.timings.encoderMs),
        decoder_ms: Math.round(final.timings.decoderMs),
        end_to_text_ms: Math.round(final.timings.endToTextMs),
        ...(final.timings.framesWaitMs !== undefined && { frames_wait_ms: Math.round(final.timings.framesWaitMs) }),
        ...(final.timings.passWaitMs !== undefined && { pass_wait_ms: Math.round(final.timings.passWaitMs) }),
        ...(final.work && { decoder_runs: final.work.decoderRuns, draft_accepted: final.work.draftAccepted }),
      };
      const note = final.recovered
        ? {
            note: "The inference worker crashed or fell behind during this utterance; the app's copy of its audio was transcribed.",
          }
        : {};
      print(
        {
          type: 'final',
          text: final.text,
          language: final.language,
          trigger: final.trigger,
          keyword: final.keyword,
          history_id: final.historyId,
          output: final.output.delivered,
          app: final.output.app,
          final_pass: final.finalPass,
          recovered: final.recovered,
          timings,
          ...note,
        },
        `» ${final.noSpeech ? '(no speech)' : final.text}   (${timings.end_to_text_ms} ms` +
          `${final.recovered ? ', recovered after a worker crash' : ''}${DELIVERED[final.output.delivered]})`,
      );
      break;
    }
    case 'session:command': {
      const { command, slots, ok, message, score, text, historyId } = update.payload;
      print(
        { type: 'command', command, slots, ok, message, score, text, history_id: historyId },
        `${ok ? '✓' : '✗'} command ${command ?? '(none)'}: ${message}`,
      );
      break;
    }
    case 'session:problem': {
      const { kind, code, message } = update.payload;
      if (kind === 'error') print({ type: 'error', code, message }, `error: ${message}`);
      else if (kind === 'notice') print({ type: 'notice', code, message }, `note: ${message}`);
      else print({ type: kind, reason: message }, `(${kind}: ${message})`);
      break;
    }
    default:
      // Wake scores, option changes and history counts are for the GUI.
      break;
  }
}
