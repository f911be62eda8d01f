import { PIPELINE_SAMPLE_RATE } from '../../../../shared/audio';
import { AppError } from '../../../../shared/errors';
import { writeWavFile } from '../../../audio/wav';
import { createLogger } from '../../../log';
import type { CoreServices } from '../../services';
import { AUDIO_OPTIONS, AUDIO_OPTIONS_HELP, audioServicesFrom } from '../audio-options';
import { EXIT_OK, integerOption, UsageError, type CliCommand } from '../command';

export const recordCommand: CliCommand = {
  name: 'record',
  summary: 'Record through the full capture path into a 16 kHz mono WAV file',
  usage: [
    'earshot record --seconds S --out FILE.wav [--device ID|NAME|auto] [--json]',
    '',
    '  --device ID|NAME|auto  a device id or name from `earshot devices` (default: auto, the best ranked)',
    '  --seconds S            how long to record (0.1 to 3600)',
    '  --device-rate HZ       ask the device for this native rate; if it refuses, Earshot opens it at a',
    "                         rate it supports and resamples (default: the device's own rate)",
    '  --out FILE.wav         where to write the 16 kHz mono 16-bit WAV',
    '  --json                 print {"out","seconds","device","sampleRate","channels"}',
    AUDIO_OPTIONS_HELP,
  ].join('\n'),
  options: {
    device: { type: 'string' },
    seconds: { type: 'string' },
    'device-rate': { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
    ...AUDIO_OPTIONS,
  },
  opensAudio: true,
  async run({ values, io, stopRequested }) {
    const seconds = Number(values.seconds);
    if (values.seconds === undefined || !Number.isFinite(seconds) || seconds < 0.1 || seconds > 3600) {
      throw new UsageError('--seconds must be a number from 0.1 to 3600');
    }
    const out = values.out as string | undefined;
    if (!out) throw new UsageError('--out FILE.wav is required');
    const log = createLogger('record');
    const core = await audioServicesFrom(values, log);
    const deviceRate = integerOption(values['device-rate'], 'device-rate', 1, 1_000_000);
    if (deviceRate) core.audio.requestDeviceRate(deviceRate);
    const deviceArg = (values.device as string | undefined) ?? 'auto';
    if (deviceArg !== 'auto') await useDevice(core.audio, deviceArg);

    const samples = new Float32Array(Math.round(seconds * PIPELINE_SAMPLE_RATE));
    let filled = 0;
    let lost: string | null = null;
    const done = new Promise<void>((resolve) => {
      core.audio.onFrame((frame) => {
        const take = Math.min(frame.length, samples.length - filled);
        samples.set(frame.subarray(0, take), filled);
        filled += take;
        if (filled >= samples.length) resolve();
      });
      core.audio.onStatus((status) => {
        if (status.message) io.err(status.message);
        if (status.state === 'unavailable') {
          lost = status.message;
          resolve();
        }
      });
    });
    const status = await core.audio.start('record');
    io.err(`Recording ${seconds} s from ${status.device?.name} (${status.sampleRate} Hz, ${status.channels} ch)…`);
    await Promise.race([done, stopRequested]);
    await core.audio.stop('record');
    await writeWavFile(out, samples.subarray(0, filled), PIPELINE_SAMPLE_RATE);
    if (lost)
      throw new AppError(
        'DeviceLost',
        `${lost} Saved the ${(filled / PIPELINE_SAMPLE_RATE).toFixed(2)} s recorded before that to ${out}.`,
      );
    const summary = {
      out,
      seconds: filled / PIPELINE_SAMPLE_RATE,
      device: status.device?.name ?? null,
      sampleRate: status.sampleRate,
      channels: status.channels,
    };
    if (values.json) io.out(JSON.stringify(summary));
    else io.out(`Saved ${summary.seconds.toFixed(2)} s to ${out}`);
    return EXIT_OK;
  },
};

/** Resolves --device by exact id, exact name, then a unique case-insensitive part of a name. */
async function useDevice(audio: CoreServices['audio'], wanted: string): Promise<void> {
  const { devices } = await audio.report();
  const excluded = devices.find((d) => d.rank === null && (d.device.id === wanted || d.device.name === wanted));
  if (excluded) {
    throw new AppError(
      'DeviceUnavailable',
      `"${excluded.device.name}" cannot be used as a microphone (${excluded.note.replace(/^excluded: /, '')}).`,
    );
  }
  const usable = devices.filter((d) => d.rank !== null).map((d) => d.device);
  const lower = wanted.toLowerCase();
  const match =
    usable.find((d) => d.id === wanted) ??
    usable.find((d) => d.name === wanted) ??
    (() => {
      const partial = usable.filter((d) => d.name.toLowerCase().includes(lower));
      if (partial.length > 1)
        throw new UsageError(`--device "${wanted}" matches ${partial.map((d) => `"${d.name}"`).join(', ')}`);
      return partial[0];
    })();
  if (!match) {
    const names = usable.map((d) => `"${d.name}"`).join(', ') || 'none';
    throw new UsageError(`no input device matches "${wanted}" (available: ${names})`);
  }
  audio.useDeviceForThisRun(match.id);
}
