import { z } from 'zod';

/** Audio formats and device descriptions shared by main, the CLI and the renderer. */

/** Frames between processes: 16 kHz mono float32, 80 ms (openWakeWord's frame; invariant 3). */
export const PIPELINE_SAMPLE_RATE = 16_000;
export const FRAME_SAMPLES = 1280;
export const FRAME_MS = 80;

export const AudioDeviceSchema = z
  .object({
    /** Stable identity: host API + name, so a choice survives re-enumeration (PortAudio indices do not). */
    id: z.string(),
    name: z.string(),
    hostApi: z.string(),
    maxInputChannels: z.number().int().nonnegative(),
    defaultSampleRate: z.number().positive(),
    /** Seconds, as PortAudio reports them; 0 means the driver did not say. */
    defaultLowInputLatency: z.number().nonnegative(),
    defaultHighInputLatency: z.number().nonnegative(),
  })
  .strict();
export type AudioDevice = z.infer<typeof AudioDeviceSchema>;

export const DeviceMeasurementSchema = z
  .object({
    ok: z.boolean(),
    /** Time from opening the stream to its first buffer. */
    firstBufferMs: z.number().nullable(),
    meanIntervalMs: z.number().nullable(),
    /** Standard deviation of the intervals between buffers. */
    jitterMs: z.number().nullable(),
    /** Buffers missing against the wall clock during the measurement. */
    droppedBuffers: z.number().int().nonnegative(),
    error: z.string().nullable(),
  })
  .strict();
export type DeviceMeasurement = z.infer<typeof DeviceMeasurementSchema>;

export const RankedDeviceSchema = z
  .object({
    device: AudioDeviceSchema,
    /** 1 = best. Excluded devices have no rank. */
    rank: z.number().int().positive().nullable(),
    /** Why it is ranked where it is, or why it is excluded. */
    note: z.string(),
    measurement: DeviceMeasurementSchema.nullable(),
  })
  .strict();
export type RankedDevice = z.infer<typeof RankedDeviceSchema>;

export const DeviceSelectionSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    /** A sentence: why this device (lowest latency, your choice, fallback because …). */
    reason: z.string(),
    /** True when the user's choice is unavailable and this is the next best. */
    fallback: z.boolean(),
  })
  .strict();
export type DeviceSelection = z.infer<typeof DeviceSelectionSchema>;

export const AudioLevelSchema = z.object({ rmsDb: z.number(), peakDb: z.number() }).strict();

export const CaptureEndReasonSchema = z.enum(['stopped', 'deviceLost', 'error']);
export type CaptureEndReason = z.infer<typeof CaptureEndReasonSchema>;

export const DeviceReportSchema = z
  .object({ devices: z.array(RankedDeviceSchema), selected: DeviceSelectionSchema.nullable() })
  .strict();
export type DeviceReport = z.infer<typeof DeviceReportSchema>;

export const CaptureStatusSchema = z
  .object({
    state: z.enum(['stopped', 'capturing', 'unavailable']),
    device: DeviceSelectionSchema.nullable(),
    /** The rate and channels the device was opened with (converted to 16 kHz mono after). */
    sampleRate: z.number().nullable(),
    channels: z.number().int().nullable(),
    /** The latest change the user should see, e.g. a lost device and the fallback. */
    message: z.string().nullable(),
  })
  .strict();
export type CaptureStatus = z.infer<typeof CaptureStatusSchema>;
