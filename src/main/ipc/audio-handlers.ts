import type { AudioEngine } from '../audio/audio-engine';
import type { EventHub } from './event-hub';
import type { IpcRouter } from './router';

/** Each window's "test microphone" holds capture on its own, and lets go when the window goes. */
const micTestHolder = (connectionId: string): string => `mic-test:${connectionId}`;

/** The audio engine's part of the IPC contract: devices, choice, mic test, levels and status. */
export function bindAudio(audio: AudioEngine, router: IpcRouter, events: EventHub): (() => void)[] {
  return [
    router.handle('audio:list-devices', ({ measure }) => audio.report({ measure })),
    router.handle('audio:choose-device', ({ deviceId }) => audio.choose(deviceId)),
    router.handle('audio:get-status', () => audio.status),
    router.handle('audio:start-test', (_request, { connectionId }) => audio.start(micTestHolder(connectionId))),
    router.handle('audio:stop-test', async (_request, { connectionId }) => {
      await audio.stop(micTestHolder(connectionId));
      return audio.status;
    }),
    router.onConnectionClosed((connectionId) => void audio.stop(micTestHolder(connectionId))),
    audio.onLevel((level) => events.emit('audio:level', level)),
    audio.onStatus((status) => events.emit('audio:status-changed', status)),
  ];
}
