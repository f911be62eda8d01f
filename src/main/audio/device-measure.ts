import type { AudioDevice, DeviceMeasurement } from '../../shared/audio';
import type { AudioInput } from './audio-input';
import { StreamHealth } from './stream-health';

export const MEASURE_MS = 500;

/**
 * Opens a device for a short moment and times its buffers: time to first buffer, jitter of
 * the intervals, buffers missing against the wall clock. A device that fails to open or
 * deliver gets `ok: false` with the reason, never an exception.
 */
export async function measureDevice(
  input: AudioInput,
  device: AudioDevice,
  durationMs = MEASURE_MS,
): Promise<DeviceMeasurement> {
  let health: StreamHealth | null = null;
  try {
    const openedAt = performance.now();
    const capture = await input.start({ deviceId: device.id, bufferMs: 10 });
    health = new StreamHealth(capture.format.sampleRate);
    health.opened(openedAt);
    const probe = health;
    capture.onFrame((chunk) => probe.buffer(chunk.frames, performance.now()));
    let lost: string | null = null;
    capture.onEnded((reason, detail) => {
      if (reason === 'deviceLost') lost = detail ?? 'device lost';
    });
    await new Promise((resolve) => setTimeout(resolve, durationMs));
    const summary = probe.summary(performance.now(), lost);
    await capture.stop();
    return summary;
  } catch (err) {
    return (health ?? new StreamHealth(device.defaultSampleRate)).summary(performance.now(), (err as Error).message);
  }
}

/** Measures devices one after another (opening several at once would skew the timings). */
export async function measureDevices(
  input: AudioInput,
  devices: readonly AudioDevice[],
  durationMs = MEASURE_MS,
): Promise<Map<string, DeviceMeasurement>> {
  const results = new Map<string, DeviceMeasurement>();
  for (const device of devices) results.set(device.id, await measureDevice(input, device, durationMs));
  return results;
}
