import type { AudioDevice, DeviceMeasurement, DeviceSelection, RankedDevice } from '../../shared/audio';
import { PIPELINE_SAMPLE_RATE } from '../../shared/audio';

/**
 * Host APIs from lowest to highest typical latency, per platform. A tie on reported latency
 * is broken by this order. Names are PortAudio's `hostAPIName`s.
 */
const HOST_API_PREFERENCE: Readonly<Partial<Record<NodeJS.Platform, readonly string[]>>> = {
  linux: ['JACK Audio Connection Kit', 'ALSA', 'OSS'],
  darwin: ['Core Audio'],
  win32: ['ASIO', 'Windows WDM-KS', 'Windows WASAPI', 'Windows DirectSound', 'MME'],
};

/** PulseAudio/PipeWire expose what the speakers play as "Monitor of …" inputs: never a microphone. */
const MONITOR = /\bmonitor\b/i;

export function deviceIdOf(hostApi: string, name: string): string {
  return `${hostApi}:${name}`;
}

/** Why a device can never be an input, or null when it can. */
export function exclusionOf(device: AudioDevice): string | null {
  if (device.maxInputChannels < 1) return 'no input channels (output only, busy or unavailable)';
  if (MONITOR.test(device.name)) return 'monitor of an output, not a microphone';
  return null;
}

/** Unknown latency (0, as virtual devices report) sorts after every known latency. */
function latencyKey(device: AudioDevice): number {
  return device.defaultLowInputLatency > 0 ? device.defaultLowInputLatency : Number.POSITIVE_INFINITY;
}

function hostApiKey(device: AudioDevice, platform: NodeJS.Platform): number {
  const order = HOST_API_PREFERENCE[platform] ?? [];
  const index = order.indexOf(device.hostApi);
  return index === -1 ? order.length : index;
}

/** Devices that need no conversion by the driver or by us rank first among equals. */
function nativeFormatKey(device: AudioDevice): number {
  return (device.defaultSampleRate === PIPELINE_SAMPLE_RATE ? 0 : 2) + (device.maxInputChannels === 1 ? 0 : 1);
}

/** A measured device's cost in milliseconds: startup, plus jitter and drops weighted as felt latency. */
function measuredCost(m: DeviceMeasurement): number {
  if (!m.ok || m.firstBufferMs === null) return Number.POSITIVE_INFINITY;
  return m.firstBufferMs + 4 * (m.jitterMs ?? 0) + 50 * m.droppedBuffers;
}

function formatMs(seconds: number): string {
  return `${(seconds * 1000).toFixed(1)} ms`;
}

function noteFor(device: AudioDevice, measurement: DeviceMeasurement | undefined): string {
  if (measurement) {
    if (!measurement.ok) return `measurement failed: ${measurement.error ?? 'no audio'}`;
    return (
      `measured: first buffer ${measurement.firstBufferMs?.toFixed(0)} ms, ` +
      `jitter ${measurement.jitterMs?.toFixed(1)} ms, ${measurement.droppedBuffers} dropped`
    );
  }
  return device.defaultLowInputLatency > 0
    ? `reported input latency ${formatMs(device.defaultLowInputLatency)}`
    : 'input latency not reported by the driver';
}

/**
 * Orders input devices best first: by measured cost when measurements are given, else by the
 * lowest reported low-input latency; ties by the platform's host-API order, then native
 * 16 kHz/mono support, then name (so the order is stable). Excluded devices come last, unranked.
 */
export function rankDevices(
  devices: readonly AudioDevice[],
  platform: NodeJS.Platform,
  measurements?: ReadonlyMap<string, DeviceMeasurement>,
): RankedDevice[] {
  const candidates = devices.filter((d) => exclusionOf(d) === null);
  const compare = (a: AudioDevice, b: AudioDevice): number => {
    if (measurements) {
      const ma = measurements.get(a.id);
      const mb = measurements.get(b.id);
      const cost = (ma ? measuredCost(ma) : Infinity) - (mb ? measuredCost(mb) : Infinity);
      if (cost !== 0 && !Number.isNaN(cost)) return cost;
    }
    return (
      latencyKey(a) - latencyKey(b) ||
      hostApiKey(a, platform) - hostApiKey(b, platform) ||
      nativeFormatKey(a) - nativeFormatKey(b) ||
      a.name.localeCompare(b.name)
    );
  };
  const ranked: RankedDevice[] = [...candidates].sort(compare).map((device, index) => {
    const measurement = measurements?.get(device.id);
    return { device, rank: index + 1, note: noteFor(device, measurement), measurement: measurement ?? null };
  });
  const excluded: RankedDevice[] = devices
    .filter((d) => exclusionOf(d) !== null)
    .map((device) => ({ device, rank: null, note: `excluded: ${exclusionOf(device)}`, measurement: null }));
  return [...ranked, ...excluded];
}

/**
 * Picks the device to capture from: the user's choice when it is present and not known to be
 * failing, otherwise the best-ranked working device, with a sentence saying why.
 */
export function selectDevice(
  ranked: readonly RankedDevice[],
  preferredId: string | null,
  failing: ReadonlyMap<string, string> = new Map(),
): DeviceSelection | null {
  const usable = ranked.filter((r) => r.rank !== null && !failing.has(r.device.id));
  const pick = (r: RankedDevice, reason: string, fallback: boolean): DeviceSelection => ({
    id: r.device.id,
    name: r.device.name,
    reason,
    fallback,
  });
  const best = usable[0];
  if (preferredId) {
    const preferred = ranked.find((r) => r.device.id === preferredId);
    if (preferred && preferred.rank !== null && !failing.has(preferredId)) return pick(preferred, 'your choice', false);
    if (!best) return null;
    const why = !preferred
      ? 'is not connected'
      : preferred.rank === null
        ? `cannot be used (${preferred.note.replace(/^excluded: /, '')})`
        : `is not working (${failing.get(preferredId)})`;
    const name = preferred?.device.name ?? preferredId.replace(/^[^:]*:/, '');
    return pick(best, `your choice "${name}" ${why}; using the next best until it is back`, true);
  }
  if (!best) return null;
  const failed = ranked.find((r) => failing.has(r.device.id) && r.rank !== null && r.rank < (best.rank ?? 0));
  if (failed) {
    return pick(
      best,
      `"${failed.device.name}" is not working (${failing.get(failed.device.id)}); using the next best`,
      true,
    );
  }
  return pick(best, automaticReason(best, usable.length), false);
}

function automaticReason(best: RankedDevice, usable: number): string {
  if (usable === 1) return 'the only input device';
  if (best.measurement) return `best measured: ${best.note.replace(/^measured: /, '')}`;
  if (best.device.defaultLowInputLatency > 0) return `lowest latency: ${best.note}`;
  return 'first in the ranking: no device reports its latency, so host API, native format and name decide';
}
