import { createInterface } from 'node:readline';
import { AppError } from '../../../../shared/errors';
import { HistoryStore } from '../../../history/history-store';
import { createLogger } from '../../../log';
import { asrSettingsFor } from '../../../session/asr-settings';
import { VoiceSession, type SessionEvent } from '../../../session/voice-session';
import { WorkerUtterances } from '../../../session/worker-utterances';
import { historyDbPath, userModelsDir } from '../../../settings/config-dir';
import { AUDIO_OPTIONS, AUDIO_OPTIONS_HELP, audioServicesFrom, useDevice } from '../audio-options';
import { EXIT_OK, integerOption, type CliCommand } from '../command';

/** Audio kept from before the wake phrase ended or the key went down. */
const PRE_ROLL_MS = 300;
const MAX_UTTERANCE_MS = 30_000;

export const listenCommand: CliCommand = {
  name: 'listen',
  summary: 'Run a live voice session: wake word or push-to-talk to a transcript, saved in the history',
  usage: [
    'earshot listen [--device ID|NAME|auto] [--ptt] [--max-utterances N] [--json] [--config-dir DIR] [--input-wav FILE]',
    '',
    '  --device D          the microphone for this run (default: the saved choice, or the lowest latency)',
    '  --ptt               push-to-talk: type start and stop (one per line) on stdin; no wake word',
    '  --max-utterances N  exit after N final transcripts',
    '  --json              one event per line: {"type":"ready","device"}, {"type":"state","state"},',
    '                      {"type":"wake","keyword","score","t"}, {"type":"partial","text"},',
    '                      {"type":"final","text","language","trigger","timings":{…}}, {"type":"error","code","message"}',
    AUDIO_OPTIONS_HELP,
    '',
    "The active profile's model, decoding, wake-word and VAD settings apply; the active wake words",
    'are the saved ones (Wake words view). With a wake word, recording starts 300 ms before the',
    "phrase ended and stops at the end of speech (the profile's silence hang-over). Finals are",
    'saved in the history (earshot history). Ctrl-C ends the session.',
  ].join('\n'),
  options: {
    device: { type: 'string' },
    ptt: { type: 'boolean' },
    'max-utterances': { type: 'string' },
    json: { type: 'boolean' },
    ...AUDIO_OPTIONS,
  },
  opensAudio: true,
  async run({ values, io, stopRequested }) {
    const maxUtterances = integerOption(values['max-utterances'], 'max-utterances', 1, 1_000_000);
    const ptt = Boolean(values.ptt);
    const json = Boolean(values.json);
    const log = createLogger('listen');
    const core = await audioServicesFrom(values, log);
    const device = (values.device as string | undefined) ?? 'auto';
    if (device !== 'auto') await useDevice(core.audio, device);
    const history = HistoryStore.open(historyDbPath());
    if (history.recovered) io.err(`The history file was damaged; it was moved to ${history.recovered}.`);

    const started = performance.now();
    const seconds = () => Number(((performance.now() - started) / 1000).toFixed(2));
    const print = (event: Record<string, unknown>, text: string) =>
      json ? io.out(JSON.stringify(event)) : io.out(text);
    const utterances = new WorkerUtterances(
      core.inference.worker,
      () => {
        const profile = core.profiles.active();
        return { asr: asrSettingsFor(profile, userModelsDir()), partialIntervalMs: profile.partialIntervalMs };
      },
      (fromSeq, toSeq) => core.audio.framesAudio(fromSeq, toSeq),
      log,
    );
    const session = new VoiceSession(utterances, {
      preRollMs: PRE_ROLL_MS,
      maxUtteranceMs: MAX_UTTERANCE_MS,
      wakeEnabled: !ptt,
      silenceHangoverMs: core.profiles.active().vad.silenceHangoverMs,
    });

    let finals = 0;
    let finished!: () => void;
    const enough = new Promise<void>((resolve) => (finished = resolve));
    session.onEvent((event: SessionEvent) => {
      switch (event.type) {
        case 'state':
          print({ type: 'state', state: event.state, reason: event.reason }, `[${event.state}] ${event.reason}`);
          break;
        case 'wake':
          print(
            { type: 'wake', keyword: event.keyword, score: Number(event.score.toFixed(3)), t: seconds() },
            `wake word ${event.keyword} (${event.score.toFixed(2)})`,
          );
          break;
        case 'final': {
          const profile = core.profiles.active();
          history.add({
            text: event.text,
            language: event.language,
            trigger: event.trigger,
            keyword: event.keyword,
            profile: profile.id,
            device: core.audio.status.device?.name,
            durationMs: Math.round(event.timings.recordingMs),
            latency: {
              encoder_ms: event.timings.encoderMs,
              decoder_ms: event.timings.decoderMs,
              end_to_text_ms: event.timings.endToTextMs,
            },
          });
          const timings = {
            recording_ms: Math.round(event.timings.recordingMs),
            encoder_ms: Math.round(event.timings.encoderMs),
            decoder_ms: Math.round(event.timings.decoderMs),
            end_to_text_ms: Math.round(event.timings.endToTextMs),
          };
          print(
            {
              type: 'final',
              text: event.text,
              language: event.language,
              trigger: event.trigger,
              timings,
              ...(event.recovered
                ? { note: 'The inference worker crashed during this utterance; its audio was transcribed again.' }
                : {}),
            },
            `» ${event.noSpeech ? '(no speech)' : event.text}   (${timings.end_to_text_ms} ms${event.recovered ? ', recovered after a worker crash' : ''})`,
          );
          finals++;
          if (maxUtterances !== undefined && finals >= maxUtterances) finished();
          break;
        }
        case 'error':
          print(
            { type: 'error', code: event.error.code, message: event.error.message },
            `error: ${event.error.message}`,
          );
          break;
        case 'rejected':
        case 'queued':
          print({ type: event.type, trigger: event.trigger, reason: event.reason }, `(${event.type}: ${event.reason})`);
          break;
      }
    });
    const stopFrames = core.audio.onFrame((_samples, seq) => session.frame(seq));
    const stopEvents = core.inference.onEvent((event) => {
      if (event.type === 'wake') session.wake(event.keyword, event.score, event.seq);
      else if (event.type === 'vad' && event.event === 'speech-end') session.speechEnded(event.seq);
      else if (event.type === 'partial' && session.state === 'recording') {
        const text = `${event.stable} ${event.unstable}`.trim();
        if (text) print({ type: 'partial', text }, `… ${text}`);
      }
    });
    const stopStatus = core.audio.onStatus((status) => {
      if (status.state === 'unavailable' && status.message)
        print({ type: 'error', code: 'DeviceLost', message: status.message }, `error: ${status.message}`);
    });

    let lines: ReturnType<typeof createInterface> | undefined;
    try {
      await core.inference.startListening();
      const status = core.audio.status;
      print({ type: 'ready', device: status.device?.name ?? null }, `Listening on ${status.device?.name ?? '?'}…`);
      if (ptt) {
        lines = createInterface({ input: process.stdin });
        lines.on('line', (line) => {
          const command = line.trim().toLowerCase();
          if (command === 'start') session.pressStart();
          else if (command === 'stop') session.pressEnd();
          else if (command) io.err(`push-to-talk takes "start" or "stop", not "${command}"`);
        });
      }
      await Promise.race([enough, stopRequested]);
    } catch (error) {
      if (error instanceof AppError)
        print({ type: 'error', code: error.code, message: error.message }, `error: ${error.message}`);
      throw error;
    } finally {
      lines?.close();
      stopFrames();
      stopEvents();
      stopStatus();
      session.cancel('session ended');
      await core.inference.dispose();
      history.close();
    }
    return EXIT_OK;
  },
};
