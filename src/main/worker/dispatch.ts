import {
  WorkerRequestSchema,
  type Pong,
  type TranscriptResult,
  type VadScanResult,
  type WakeScanResult,
  type WorkerRequest,
  type WorkerResponse,
} from '../../shared/worker-protocol';
import { AppError } from '../../shared/errors';
import { packageVersion } from '../host/runtime-versions';
import type { AsrThread } from './asr/asr-thread-client';
import type { Listening } from './listening';
import type { ModelLoader } from './models/model-loader';
import { EnergyGate } from './vad/energy-gate';
import { scanForSpeech } from './vad/scan-file';
import { VoiceActivity } from './vad/voice-activity';
import { scanForWakeWords } from './wake/scan-file';
import { WakeWordDetector } from './wake/wake-word-detector';

export interface WorkerContext {
  runtime: Pong['runtime'];
  loader: ModelLoader;
  listening: Listening;
  /** Whisper runs on its own thread: every ASR request is answered there. */
  asr: AsrThread;
}

type Handler<T extends WorkerRequest['type']> = (
  request: Extract<WorkerRequest, { type: T }>,
  context: WorkerContext,
) => unknown;

/** One handler per request type; an unknown type is answered with an error, not ignored. */
const HANDLERS: { [T in WorkerRequest['type']]: Handler<T> } = {
  ping: (_request, { runtime }): Pong => ({
    pid: process.pid,
    runtime,
    onnxruntime: packageVersion('onnxruntime-node') ?? 'missing',
  }),
  shutdown: async (_request, { listening, asr }) => {
    await Promise.all([listening.dispose(), asr.dispose()]);
    return { stopping: true };
  },
  'configure-listening': (request, { listening }) => listening.configure(request),
  'wake-scan': async (request, { loader }): Promise<WakeScanResult> => {
    const loadStart = performance.now();
    const detector = await WakeWordDetector.create({ keywords: request.keywords, threads: request.threads, loader });
    const loadMs = performance.now() - loadStart;
    try {
      detector.configure({ ...request.wake, thresholds: request.wake.keywordThresholds });
      return { ...(await scanForWakeWords(request.samples, detector)), loadMs };
    } finally {
      await detector.dispose();
    }
  },
  transcribe: (request, { asr }) => asr.request(request) as Promise<TranscriptResult>,
  'utterance-start': (request, { asr }) => asr.request(request),
  'utterance-finish': (request, { asr }) => asr.request(request) as Promise<TranscriptResult>,
  'utterance-cancel': (request, { asr }) => asr.request(request),
  'asr-prepare': (request, { asr }) => asr.request(request),
  'memory-pressure': (request, { asr }) => asr.request(request),
  'vad-scan': async (request, { loader }): Promise<VadScanResult> => {
    const loadStart = performance.now();
    const vad = await VoiceActivity.create({ threads: request.threads, loader });
    const loadMs = performance.now() - loadStart;
    try {
      vad.configure(request.vad);
      return { ...(await scanForSpeech(request.samples, vad, request.gate ? new EnergyGate() : undefined)), loadMs };
    } finally {
      await vad.dispose();
    }
  },
};

export async function handleWorkerMessage(message: unknown, context: WorkerContext): Promise<WorkerResponse> {
  const parsed = WorkerRequestSchema.safeParse(message);
  const id = typeof (message as { id?: unknown })?.id === 'number' ? (message as { id: number }).id : null;
  if (!parsed.success) {
    const type = (message as { type?: unknown })?.type;
    const known = WorkerRequestSchema.options.some((o) => o.shape.type.value === type);
    return {
      id,
      ok: false,
      error: known
        ? {
            code: 'InvalidPayload',
            message: `Malformed "${String(type)}" request: ${parsed.error.issues[0]?.message ?? ''}`,
          }
        : { code: 'UnknownWorkerMessage', message: `The inference worker does not understand "${String(type)}".` },
    };
  }
  const request = parsed.data;
  try {
    const handler = HANDLERS[request.type] as Handler<typeof request.type>;
    return { id: request.id, ok: true, value: await handler(request as never, context) };
  } catch (err) {
    const error =
      err instanceof AppError ? err.toData() : { code: 'Internal' as const, message: (err as Error).message };
    return { id: request.id, ok: false, error };
  }
}
