import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WavFileInput } from '../src/main/audio/wav-file-input';
import { composeServices } from '../src/main/host/services';
import { trustedOriginOf } from '../src/main/ipc/sender-guard';
import { createLogger } from '../src/main/log';
import { JsonFileSettingsBackend } from '../src/main/settings/json-file-backend';
import { describeMicros, percentile, sampleMicros } from './stats';
import { NO_DESKTOP } from '../src/main/actions/desktop';

/**
 * What the IPC guard (sender check + zod request and response parsing) costs per call,
 * against calling the same service directly in the same run.
 */
export const guardOverhead = {
  name: 'IPC guard overhead (profiles:list, in process)',
  async run(): Promise<string[]> {
    const dir = mkdtempSync(join(tmpdir(), 'earshot-bench-'));
    try {
      const services = composeServices({
        host: 'serve',
        settingsBackend: new JsonFileSettingsBackend(join(dir, 'settings.json')),
        audioInput: await WavFileInput.open([join(import.meta.dirname, '..', '..', 'shared', 'audio', 'jfk.wav')]),
        trustedOrigin: trustedOriginOf('http://127.0.0.1:1'),
        historyPath: join(dir, 'history.sqlite'),
        desktop: NO_DESKTOP,
        log: createLogger('bench', () => undefined),
      });
      const sender = { url: 'http://127.0.0.1:1/', isTopFrame: true, connectionId: 'bench' };
      const direct = await sampleMicros(5000, () => ({
        profiles: [...services.profiles.list()],
        activeId: services.profiles.active().id,
      }));
      const guarded = await sampleMicros(5000, () => services.router.dispatch('profiles:list', undefined, sender));
      const ratio = percentile(guarded, 50) / percentile(direct, 50);
      return [
        describeMicros('direct service call', direct),
        describeMicros('through the guarded router', guarded),
        `guarded / direct (p50): ${ratio.toFixed(1)}×`,
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
