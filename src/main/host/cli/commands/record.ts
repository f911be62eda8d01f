import { PIPELINE_SAMPLE_RATE } from '../../../../shared/audio';
import { AppError } from '../../../../shared/errors';
import { writeWavFile } from '../../../audio/wav';
import { createLogger } from '../../../log';
import { AUDIO_OPTIONS, AUDIO_OPTIONS_HELP, audioServicesFrom, useDevice } from '../audio-options';
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
