import type { AudioEngine } from '../audio/audio-engine';
import type { EventHub } from './event-hub';
import type { IpcRouter } from './router';

/** Holder name of the Devices view's "test microphone" (capture runs while someone holds it). */
export const MIC_TEST_HOLDER = 'mic-test';

/** The audio engine's part of the IPC contract: devices, choice, mic test, levels and status. */
export function bindAudio(audio: AudioEngine, router: IpcRouter, events: EventHub): (() => void)[] {
  return [
    router.handle('audio:list-devices', ({ measure }) => audio.report({ measure })),
    router.handle('audio:choose-device', ({ deviceId }) => audio.choose(deviceId)),
    router.handle('audio:get-status', () => audio.status),
    router.handle('audio:start-test', () => audio.start(MIC_TEST_HOLDER)),
    router.handle('audio:stop-test', async () => {
      await audio.stop(MIC_TEST_HOLDER);
      return audio.status;
    }),
    audio.onLevel((level) => events.emit('audio:level', level)),
    audio.onStatus((status) => events.emit('audio:status-changed', status)),
  ];
}
