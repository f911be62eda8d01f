import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WorkerEvent } from '../../shared/worker-protocol';
import { AsrThread } from './asr/asr-thread-client';
import { handleWorkerMessage, type WorkerContext } from './dispatch';
import { FrameReceiver } from './frame-receiver';
import { Listening } from './listening';
import { ModelLoader, reportModels, workerModelSource } from './models/model-loader';
import { connectToParent } from './parent-port';
import { modelEvents } from './model-events';

/**
 * Inference worker entry. Runs as an Electron utility process or as a Node child process
 * (headless host, tests). Requests go through the handler table; audio frames are a stream of
 * notifications, processed in order and acknowledged once processed (main's flow control).
 * Whisper runs on a thread of its own (asr/asr-thread.ts), so this thread is always free for
 * the frames, the wake word and the VAD; it starts at the first request that needs Whisper.
 */
const parent = connectToParent();
const loader = new ModelLoader(workerModelSource());
const send = (event: WorkerEvent) => parent.send(event);
reportModels(modelEvents(send));
const frames = new FrameReceiver();

const asr = new AsrThread(startAsrThread, send, (error) => {
  // Without its ASR thread this worker cannot transcribe: exit, and main restarts the worker.
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
// Every processed frame also goes to the live utterance, marked voiced or not by the VAD.
const listening = new Listening(loader, send, (samples, seq, voiced, captureTime) =>
  asr.frame(samples, seq, voiced, captureTime),
);
const context: WorkerContext = { runtime: parent.runtime, loader, listening, asr };
frames.onFrame((samples, seq, captureTime) => listening.frame(samples, seq, captureTime));

/** The ASR thread, from the bundle's `asr-thread.js` beside this file, or from the TypeScript source under tsx. */
function startAsrThread(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(join(import.meta.dirname, 'asr-thread.js'));
  // On Node 20 a worker thread does not inherit tsx's module hooks: it registers them itself first.
  const tsx = import.meta.resolve('tsx/esm/api');
  const source = pathToFileURL(join(import.meta.dirname, 'asr', 'asr-thread.ts')).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(bootstrap, { eval: true });
}

let framesDone: Promise<void> = Promise.resolve();

parent.onMessage((message) => {
  if ((message as { type?: unknown } | null)?.type === 'audio-frames') {
    framesDone = framesDone.then(async () => {
      const outcome = await frames.receive(message);
      parent.send(
        'ack' in outcome
          ? outcome.ack
          : { type: 'frame-error', error: { code: 'InvalidPayload', message: outcome.error } },
      );
    });
    return;
  }
  void handleWorkerMessage(message, context).then((response) => {
    parent.send(response);
    if (response.ok && (message as { type?: unknown }).type === 'shutdown') parent.close();
  });
});
