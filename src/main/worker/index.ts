import { handleWorkerMessage } from './dispatch';
import { FrameReceiver } from './frame-receiver';
import { connectToParent } from './parent-port';

/**
 * Inference worker entry. Runs as an Electron utility process or as a Node child process
 * (headless host, tests). Audio frames are a stream of notifications, handled apart from the
 * request/response table; inference handlers arrive with their issues.
 */
const parent = connectToParent();
const frames = new FrameReceiver();

parent.onMessage(async (message) => {
  if ((message as { type?: unknown } | null)?.type === 'audio-frames') {
    const outcome = frames.receive(message);
    parent.send(
      'ack' in outcome ? outcome.ack : { id: null, ok: false, error: { code: 'Internal', message: outcome.error } },
    );
    return;
  }
  const response = await handleWorkerMessage(message, parent.runtime);
  parent.send(response);
  if (response.ok && (message as { type?: unknown }).type === 'shutdown') parent.close();
});
