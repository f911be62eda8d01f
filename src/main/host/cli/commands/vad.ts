import { VadScanResultSchema } from '../../../../shared/worker-protocol';
import { loadAudioFile } from '../../../audio/audio-file';
import { createLogger } from '../../../log';
import { EXIT_OK, UsageError, type CliCommand } from '../command';
import { activeProfile, round, withWorker } from '../inference';

export const vadCommand: CliCommand = {
  name: 'vad',
  summary: 'Find the speech in a WAV file (Silero VAD, in the inference worker)',
  usage: [
    'earshot vad FILE.wav [--json]',
    '',
    "  --config-dir DIR settings folder (the active profile's VAD thresholds and hang-over apply)",
    '  --json           print {"segments":[{"start_s","end_s"}]}',
  ].join('\n'),
  options: { json: { type: 'boolean' }, 'config-dir': { type: 'string' } },
  allowPositionals: true,
  async run({ values, positionals, io }) {
    const [file, ...extra] = positionals;
    if (!file || extra.length) throw new UsageError('give exactly one WAV file');
    const log = createLogger('vad');
    const profile = activeProfile(values, log);
    const samples = await loadAudioFile(file, profile.resamplerQuality);
    const result = await withWorker(log, async (worker) =>
      VadScanResultSchema.parse(
        await worker.request({ type: 'vad-scan', samples, vad: profile.vad, threads: profile.threads.vad, gate: true }),
      ),
    );
    const segments = result.segments.map((s) => ({ start_s: round(s.start_s), end_s: round(s.end_s) }));
    if (values.json) io.out(JSON.stringify({ segments }));
    else if (segments.length === 0) io.out(`No speech in ${file}.`);
    else for (const s of segments) io.out(`speech ${s.start_s.toFixed(2)}–${s.end_s.toFixed(2)} s`);
    return EXIT_OK;
  },
};
