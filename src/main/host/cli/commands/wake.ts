import { WakeScanResultSchema } from '../../../../shared/worker-protocol';
import { loadAudioFile } from '../../../audio/audio-file';
import { createLogger } from '../../../log';
import { DEFAULT_KEYWORDS, KEYWORD_MODELS } from '../../../worker/models/model-manifest';
import { EXIT_OK, UsageError, type CliCommand } from '../command';
import { activeProfile, percentile, round, withWorker } from '../inference';

export const wakeCommand: CliCommand = {
  name: 'wake',
  summary: 'Find wake words in a WAV file (openWakeWord, in the inference worker)',
  usage: [
    'earshot wake FILE.wav [--keyword NAME ...] [--threshold X] [--json]',
    '',
    `  --keyword NAME   a keyword to look for (repeatable; default: ${DEFAULT_KEYWORDS.join(', ')})`,
    `                   available: ${Object.keys(KEYWORD_MODELS).join(', ')}`,
    "  --threshold X    detection threshold 0..1 (default: the active profile's)",
    '  --config-dir DIR settings folder (for the active profile)',
    '  --json           print {"detections":[{"keyword","time_s","score"}],"frames":N,"timings":{…}}',
    '',
    'Any WAV rate, channel count or sample format; it is converted to 16 kHz mono first.',
  ].join('\n'),
  options: {
    keyword: { type: 'string', multiple: true },
    threshold: { type: 'string' },
    json: { type: 'boolean' },
    'config-dir': { type: 'string' },
  },
  allowPositionals: true,
  async run({ values, positionals, io }) {
    const [file, ...extra] = positionals;
    if (!file || extra.length) throw new UsageError('give exactly one WAV file');
    const keywords = (values.keyword as string[] | undefined) ?? [...DEFAULT_KEYWORDS];
    const unknown = keywords.filter((k) => !(k in KEYWORD_MODELS));
    if (unknown.length) {
      throw new UsageError(
        `unknown keyword ${unknown.join(', ')} (available: ${Object.keys(KEYWORD_MODELS).join(', ')})`,
      );
    }
    const log = createLogger('wake');
    const profile = activeProfile(values, log);
    let threshold = profile.wake.threshold;
    if (values.threshold !== undefined) {
      threshold = Number(values.threshold);
      if (!(threshold > 0 && threshold <= 1))
        throw new UsageError('--threshold must be a number above 0 and at most 1');
    }
    const samples = await loadAudioFile(file, profile.resamplerQuality);
    const result = await withWorker(log, async (worker) => {
      const value = await worker.request({
        type: 'wake-scan',
        samples,
        keywords,
        wake: { ...profile.wake, threshold },
        threads: profile.threads.wake,
      });
      return WakeScanResultSchema.parse(value);
    });
    const times = result.frameTimesMs;
    const output = {
      detections: result.detections.map((d) => ({
        keyword: d.keyword,
        time_s: round(d.time_s),
        score: round(d.score, 4),
      })),
      frames: result.frames,
      timings: {
        total_ms: round(times.reduce((sum, t) => sum + t, 0)),
        load_ms: round(result.loadMs),
        frame_p50_ms: round(percentile(times, 50), 3),
        frame_p95_ms: round(percentile(times, 95), 3),
        frame_p99_ms: round(percentile(times, 99), 3),
      },
    };
    if (values.json) io.out(JSON.stringify(output));
    else {
      if (output.detections.length === 0) io.out(`No wake word (${keywords.join(', ')}) in ${file}.`);
      for (const d of output.detections)
        io.out(`${d.keyword} at ${d.time_s.toFixed(2)} s (score ${d.score.toFixed(3)})`);
      io.out(
        `${output.frames} frames, ${output.timings.total_ms} ms (p99 ${output.timings.frame_p99_ms} ms per 80 ms frame)`,
      );
    }
    return EXIT_OK;
  },
};
