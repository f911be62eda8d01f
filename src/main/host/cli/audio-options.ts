import type { AudioInput } from '../../audio/audio-input';
import { NaudiodonInput } from '../../audio/naudiodon-input';
import { WavFileInput } from '../../audio/wav-file-input';
import type { Logger } from '../../log';
import { configDir, settingsFilePath } from '../../settings/config-dir';
import { JsonFileSettingsBackend } from '../../settings/json-file-backend';
import { createCoreServices, type CoreServices } from '../services';
import { AppError } from '../../../shared/errors';
import { UsageError, type CliCommand } from './command';

/** Options shared by the commands that use the microphone. */
export const AUDIO_OPTIONS = {
  'config-dir': { type: 'string' },
  'input-wav': { type: 'string', multiple: true },
} as const satisfies CliCommand['options'];

export const AUDIO_OPTIONS_HELP = [
  '  --config-dir DIR    settings folder (default: the user config folder, or $EARSHOT_CONFIG_DIR)',
  '  --input-wav FILE    use a WAV file played in real time as a microphone instead of the',
  '                      system devices (repeatable; for demos and tests)',
].join('\n');

/** Settings, profiles and the audio engine for a one-shot command, over the chosen microphone. */
export async function audioServicesFrom(values: Record<string, unknown>, log: Logger): Promise<CoreServices> {
  return createCoreServices({
    settingsBackend: new JsonFileSettingsBackend(
      settingsFilePath(configDir(values['config-dir'] as string | undefined)),
    ),
    audioInput: await audioInputFrom(values, log),
    log,
  });
}

/** The composition root's one choice of microphone implementation. */
export async function audioInputFrom(values: Record<string, unknown>, log: Logger): Promise<AudioInput> {
  const wavs = values['input-wav'] as string[] | undefined;
  return wavs?.length ? WavFileInput.open(wavs) : new NaudiodonInput(log);
}

/** Resolves --device by exact id, exact name, then a unique case-insensitive part of a name. */
export async function useDevice(audio: CoreServices['audio'], wanted: string): Promise<void> {
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
