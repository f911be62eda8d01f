import { join } from 'node:path';
import type { AudioInput } from '../../src/main/audio/audio-input';
import { createCoreServices, type CoreServices } from '../../src/main/host/services';
import { JsonFileSettingsBackend } from '../../src/main/settings/json-file-backend';
import { memoryLog } from './memory-log';

/** The real settings, profiles and audio engine over a given microphone implementation. */
export function coreServices(configDir: string, audioInput: AudioInput): CoreServices & { logLines: string[] } {
  const { log, lines } = memoryLog();
  const core = createCoreServices({
    settingsBackend: new JsonFileSettingsBackend(join(configDir, 'settings.json')),
    audioInput,
    log,
  });
  return { ...core, logLines: lines };
}

/** Resolves with the first value `pick` returns for an event, or rejects after `ms`. */
export function waitFor<T, E>(
  subscribe: (handler: (event: E) => void) => () => void,
  pick: (event: E) => T | undefined,
  ms: number,
  what: string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    const off = subscribe((event) => {
      const value = pick(event);
      if (value === undefined) return;
      clearTimeout(timer);
      off();
      resolve(value);
    });
  });
}
