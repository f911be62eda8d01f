import { parentPort } from 'node:worker_threads';
import { AppError } from '../../../shared/errors';
import type { WorkerEvent } from '../../../shared/worker-protocol';
import { AsrService } from './asr-service';
import { LiveUtterances } from './live-utterances';
import { ModelLoader, reportModels, workerModelSource } from '../models/model-loader';
import { modelEvents } from '../model-events';
import { StreamLag } from '../stream-lag';
import type { FromAsrThread, AsrRequest, ToAsrThread } from './asr-thread-protocol';

/**
 * The ASR thread: Whisper, for files and live utterances. ONNX Runtime for Node loads a model
 * and runs it synchronously on the calling thread (`InferenceSession.create` and `run` only defer
 * to the next turn of the event loop), so a model load (2–5 s on a busy machine) or an encoder
 * run here would otherwise stop the worker's main thread from taking audio frames, and main
 * would drop them. On this thread they hold up only Whisper; the wake word and the VAD keep up.
 */
if (!parentPort) throw new Error('the ASR thread must be started by the inference worker');
const port = parentPort;

const emit = (event: WorkerEvent) => port.postMessage({ kind: 'event', event } satisfies FromAsrThread);
reportModels(modelEvents(emit));
/** How far behind live audio this thread's frames are: Whisper's own runs delay them here. */
const lag = new StreamLag();
const asr = new AsrService(new ModelLoader(workerModelSource()), emit, () => lag.ms);
const utterances = new LiveUtterances(asr, emit, () => lag.ms);

type Handler<T extends AsrRequest['type']> = (request: Extract<AsrRequest, { type: T }>) => unknown;

const HANDLERS: { [T in AsrRequest['type']]: Handler<T> } = {
  transcribe: (request) => asr.transcribe(request),
  'utterance-start': (request) => utterances.start(request),
  'utterance-finish': (request) => utterances.finish(request.utterance, request.toSeq),
  'utterance-cancel': () => {
    utterances.cancel();
    return { cancelled: true };
  },
  'asr-prepare': (request) => asr.prepare(request.asr),
  'memory-pressure': () => asr.relieveMemory(),
};

async function answer(call: number, work: () => unknown): Promise<void> {
  let response: FromAsrThread;
  try {
    response = { kind: 'response', call, ok: true, value: await work() };
  } catch (err) {
    const error = err instanceof AppError ? err.toData() : { code: 'Internal' as const, message: String(err) };
    response = { kind: 'response', call, ok: false, error };
  }
  port.postMessage(response);
}

port.on('message', (message: ToAsrThread) => {
  switch (message.kind) {
    case 'frame':
      lag.mark(message.captureTime);
      utterances.frame(message.samples, message.seq, message.voiced);
      return;
    case 'frames-paused':
      utterances.forgetRecent();
      return;
    case 'request': {
      const { request } = message;
      const handler = HANDLERS[request.type] as Handler<typeof request.type>;
      void answer(message.call, () => handler(request as never));
      return;
    }
    case 'dispose':
      utterances.cancel();
      void answer(message.call, () => asr.dispose());
  }
});
