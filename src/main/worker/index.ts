import type { WorkerEvent } from '../../shared/worker-protocol';
import { AsrService } from './asr/asr-service';
import { LiveUtterances } from './asr/live-utterances';
import { handleWorkerMessage, type WorkerContext } from './dispatch';
import { FrameReceiver } from './frame-receiver';
import { Listening } from './listening';
import { ModelLoader, modelFolder, packagedModels } from './models/model-loader';
import { connectToParent } from './parent-port';

/**
 * Inference worker entry. Runs as an Electron utility process or as a Node child process
 * (headless host, tests). Requests go through the handler table; audio frames are a stream of
 * notifications, processed in order and acknowledged once processed (main's flow control).
 */
const parent = connectToParent();
// EARSHOT_MODEL_DIR: a folder of model files to use instead of the packaged ones (same pinned hashes).
const modelDir = process.env.EARSHOT_MODEL_DIR;
const loader = new ModelLoader(modelDir ? modelFolder(modelDir) : packagedModels);
const send = (event: WorkerEvent) => parent.send(event);
const frames = new FrameReceiver();
const asr = new AsrService(loader, send, () => frames.lagMs);
const utterances = new LiveUtterances(asr, send, () => frames.lagMs);
// Every processed frame also feeds the live utterance, marked voiced or not by the VAD.
const listening = new Listening(loader, send, (samples, seq, voiced) => utterances.frame(samples, seq, voiced));
const context: WorkerContext = { runtime: parent.runtime, loader, listening, asr, utterances };
frames.onFrame((samples, seq) => listening.frame(samples, seq));

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
