import type { CaptureStatus, DeviceMeasurement, RankedDevice } from '../../shared/audio';

/** The figures of one ranked device as short strings for the Devices view. */
export interface DeviceFacts {
  hostApi: string;
  /** "16 kHz, 1 ch" */
  format: string;
  lowLatency: string;
  highLatency: string;
  /** Null when the device has not been measured (yet). */
  measured: { headline: string; detail: string; ok: boolean } | null;
}

/** PortAudio latencies are seconds; 0 means the driver did not report one. */
export function formatLatency(seconds: number): string {
  if (seconds <= 0) return 'not reported';
  const ms = seconds * 1000;
  return `${ms >= 100 ? ms.toFixed(0) : ms.toFixed(1)} ms`;
}

/** 44100 → "44.1 kHz", 16000 → "16 kHz". */
export function formatRate(hz: number): string {
  return `${Number((hz / 1000).toFixed(1))} kHz`;
}

export function formatFormat(sampleRate: number, channels: number): string {
  return `${formatRate(sampleRate)}, ${channels} ch`;
}

function formatMeasurement(m: DeviceMeasurement): NonNullable<DeviceFacts['measured']> {
  if (!m.ok) return { ok: false, headline: 'failed', detail: m.error ?? 'no audio' };
  const jitter = m.jitterMs === null ? null : `jitter ${m.jitterMs.toFixed(1)} ms`;
  return {
    ok: true,
    headline: m.firstBufferMs === null ? 'no first buffer' : `first buffer ${m.firstBufferMs.toFixed(0)} ms`,
    detail: [jitter, `${m.droppedBuffers} dropped`].filter((p) => p !== null).join(', '),
  };
}

export function useDeviceFacts(ranked: RankedDevice): DeviceFacts {
  const { device, measurement } = ranked;
  return {
    hostApi: device.hostApi,
    format: formatFormat(device.defaultSampleRate, device.maxInputChannels),
    lowLatency: formatLatency(device.defaultLowInputLatency),
    highLatency: formatLatency(device.defaultHighInputLatency),
    measured: measurement ? formatMeasurement(measurement) : null,
  };
}

/** Main's reasons are sentence fragments ("your choice", "the only input device"). */
export function asSentence(fragment: string): string {
  const text = fragment.charAt(0).toUpperCase() + fragment.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** One line for the mic test: what capture is doing, on which device, in which format. */
export function describeCapture(status: CaptureStatus | null): string {
  if (!status || status.state === 'stopped') return 'Not capturing.';
  if (status.state === 'unavailable') return 'No microphone is available.';
  const format =
    status.sampleRate !== null && status.channels !== null
      ? ` at ${formatFormat(status.sampleRate, status.channels)}`
      : '';
  return `Capturing from ${status.device?.name ?? 'the microphone'}${format}.`;
}
