import { AppError } from '../../../../shared/errors';
import { TranscriptResultSchema, WorkerEventSchema, type TranscriptResult } from '../../../../shared/worker-protocol';
import { loadAudioFile } from '../../../audio/audio-file';
import { createLogger } from '../../../log';
import { asrSettingsFor } from '../../../session/asr-settings';
import { userModelsDir } from '../../../settings/config-dir';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliCommand } from '../command';
import { activeProfile, round, withWorker } from '../inference';

export const transcribeCommand: CliCommand = {
  name: 'transcribe',
  summary: 'Transcribe WAV files with Whisper (in the inference worker)',
  usage: [
    'earshot transcribe FILE.wav [FILE.wav ...] [--model tiny|base|NAME|PATH] [--language auto|en|…]',
    '                  [--task transcribe|translate] [--beam N] [--prompt TEXT] [--window fitted|full]',
    '                  [--no-timestamps] [--stream] [--json]',
    '',
    "  --model M        a Whisper model: tiny, base, a model in the user's model folder, or a folder",
    `                   (default: the active profile's; user models live in ${userModelsDir()})`,
    '  --language L     a language code, or auto to identify it (default: auto)',
    '  --task T         transcribe (default) or translate into English',
    "  --beam N         beam search with N beams; 1 is greedy (default: the active profile's)",
    '  --prompt TEXT    custom vocabulary or context (names, jargon) the decoder should expect',
    "  --window W       encoder window: fitted to the audio, or the full 30 s (default: the profile's)",
    '  --no-timestamps  one segment per 30 s window instead of timestamped segments (a little faster)',
    '  --stream         play each file at real-time pace with live partial transcripts, as a live',
    '                   utterance gets them (every partialIntervalMs of the profile); total_ms is then',
    '                   from the end of the utterance (speech, then the silence hang-over) to the text.',
    '                   With --json, partials print as {"file","partial":{"stable","unstable","audio_s"}}',
    '  --config-dir DIR settings folder (for the active profile)',
    '  --json           one JSON object per file per line: {"file","text","language","language_probs",',
    '                   "segments":[{"start","end","text"}],"tokens","model","timings":{…},"cache":{…}}',
    '',
    'One process (and one model load) serves every file. Any WAV rate, channel count or sample',
    'format; it is converted to 16 kHz mono first. Audio longer than 30 s is transcribed window',
    'by window. total_ms is from audio in hand to text; loading the model is load_ms.',
  ].join('\n'),
  options: {
    model: { type: 'string' },
    language: { type: 'string' },
    task: { type: 'string' },
    beam: { type: 'string' },
    prompt: { type: 'string' },
    window: { type: 'string' },
    'no-timestamps': { type: 'boolean' },
    stream: { type: 'boolean' },
    json: { type: 'boolean' },
    'config-dir': { type: 'string' },
  },
  allowPositionals: true,
  async run({ values, positionals, io }) {
    if (positionals.length === 0) throw new UsageError('give at least one WAV file');
    const log = createLogger('transcribe');
    const profile = activeProfile(values, log);
    const language = (values.language as string | undefined) ?? 'auto';
    if (!/^(auto|[a-z]{2,3})$/.test(language)) throw new UsageError('--language takes auto or a code such as en, de');
    const task = (values.task as string | undefined) ?? 'transcribe';
    if (task !== 'transcribe' && task !== 'translate') throw new UsageError('--task is transcribe or translate');
    const window = (values.window as string | undefined) ?? profile.encoderWindow;
    if (window !== 'fitted' && window !== 'full') throw new UsageError('--window is fitted or full');
    let decoding = profile.decoding;
    if (values.beam !== undefined) {
      const beam = Number(values.beam);
      if (!Number.isInteger(beam) || beam < 1 || beam > 10) throw new UsageError('--beam takes a whole number 1–10');
      decoding = { ...decoding, strategy: beam > 1 ? 'beam' : 'greedy', beamSize: beam };
    }
    const model = (values.model as string | undefined) ?? profile.model;
    const stream = values.stream ? { intervalMs: profile.partialIntervalMs || 500 } : undefined;
    let failures = 0;
    await withWorker(log, async (worker) => {
      let current = '';
      worker.onEvent((message) => {
        const event = WorkerEventSchema.safeParse(message);
        if (!event.success || event.data.type !== 'partial') return;
        const { stable, unstable, audio_s } = event.data;
        if (values.json)
          io.out(JSON.stringify({ file: current, partial: { stable, unstable, audio_s: round(audio_s) } }));
        else io.out(`  [${audio_s.toFixed(1)} s] ${stable}${unstable ? ` …${unstable}` : ''}`);
      });
      for (const file of positionals) {
        current = file;
        let result: TranscriptResult;
        try {
          const samples = await loadAudioFile(file, profile.resamplerQuality);
          result = TranscriptResultSchema.parse(
            await worker.request({
              type: 'transcribe',
              samples,
              ...asrSettingsFor(profile, userModelsDir(), {
                model,
                language,
                task,
                timestamps: !values['no-timestamps'],
                decoding,
                prompt: values.prompt as string | undefined,
                fitWindow: window === 'fitted',
              }),
              stream,
            }),
          );
        } catch (error) {
          // A bad file is reported and the others still run; a model problem fails them all the same way.
          if (!(error instanceof AppError)) throw error;
          failures++;
          if (values.json) io.out(JSON.stringify({ file, error: { code: error.code, message: error.message } }));
          else io.err(`${file}: ${error.message}`);
          continue;
        }
        report(file, result, Boolean(values.json), io.out);
      }
    });
    return failures > 0 ? EXIT_FAILURE : EXIT_OK;
  },
};

function report(file: string, r: TranscriptResult, json: boolean, out: (line: string) => void): void {
  const timings = {
    load_ms: round(r.timings.loadMs),
    vad_ms: round(r.timings.vadMs),
    mel_ms: round(r.timings.melMs),
    encoder_ms: round(r.timings.encoderMs),
    decoder_ms: round(r.timings.decoderMs),
    total_ms: round(r.timings.totalMs),
  };
  if (json) {
    out(
      JSON.stringify({
        file,
        text: r.text,
        language: r.language,
        language_probs: Object.fromEntries(Object.entries(r.languageProbs).map(([k, p]) => [k, round(p, 4)])),
        segments: r.segments.map((s) => ({ start: round(s.start), end: round(s.end), text: s.text })),
        tokens: r.tokens,
        model: r.model,
        no_speech: r.noSpeech,
        timings,
        cache: { encoder_hits: r.cache.encoderHits, encoder_misses: r.cache.encoderMisses },
      }),
    );
    return;
  }
  out(`${file}: ${r.noSpeech ? '(no speech)' : r.text}`);
  out(
    `  ${r.model}, language ${r.language}, ${r.tokens} tokens; ${timings.total_ms} ms ` +
      `(encoder ${timings.encoder_ms}, decoder ${timings.decoder_ms}; model load ${timings.load_ms})`,
  );
}
