import { join } from 'node:path';
import { buildRawApi, unwrapApi, type EarshotApi } from '../../src/shared/ipc/api';
import { composeServices, type AppServices, type ServiceOptions } from '../../src/main/host/services';
import { trustedOriginOf } from '../../src/main/ipc/sender-guard';
import { JsonFileSettingsBackend } from '../../src/main/settings/json-file-backend';
import { WavFileInput } from '../../src/main/audio/wav-file-input';
import { memoryLog } from './memory-log';
import { SHARED_AUDIO } from './shared-audio';
import { NO_DESKTOP } from '../../src/main/actions/desktop';

const ORIGIN = 'http://127.0.0.1:4999';

/**
 * The real main-side services and guarded router in this process, reached through the same
 * API builder the preload and the WebSocket bridge use. A test double for the transport
 * only: every call still goes through the guard and the schemas.
 */
export async function loopbackBridge(
  configDir: string,
  /** Sources a host adds at its composition root (the desktop app's window GPU, say). */
  extra: Partial<Pick<ServiceOptions, 'windowGpu' | 'modelsDir'>> = {},
): Promise<{ api: EarshotApi; services: AppServices }> {
  const services = composeServices({
    ...extra,
    host: 'serve',
    settingsBackend: new JsonFileSettingsBackend(join(configDir, 'settings.json')),
    audioInput: await WavFileInput.open([SHARED_AUDIO.jfk]),
    trustedOrigin: trustedOriginOf(ORIGIN),
    historyPath: join(configDir, 'history.sqlite'),
    desktop: NO_DESKTOP,
    log: memoryLog().log,
  });
  const api = unwrapApi(
    buildRawApi({
      invoke: (channel, payload) =>
        services.router.dispatch(channel, payload, { url: `${ORIGIN}/`, isTopFrame: true, connectionId: 'loopback' }),
      subscribe: (channel, listener) =>
        services.events.addSink((name, payload) => {
          if (name === channel) listener(payload);
        }),
    }),
  );
  return { api, services };
}
