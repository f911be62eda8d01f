import type { AudioInput } from '../../audio/audio-input';
import { NaudiodonInput } from '../../audio/naudiodon-input';
import { WavFileInput } from '../../audio/wav-file-input';
import type { Logger } from '../../log';
import { configDir, settingsFilePath } from '../../settings/config-dir';
import { JsonFileSettingsBackend } from '../../settings/json-file-backend';
import { createCoreServices, type CoreServices } from '../services';
import type { CliCommand } from './command';

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
