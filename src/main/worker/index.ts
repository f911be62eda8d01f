import { handleWorkerMessage } from './dispatch';
import { connectToParent } from './parent-port';

/**
 * Inference worker entry. Runs as an Electron utility process or as a Node child process
 * (headless host, tests); inference handlers arrive with their issues.
 */
const parent = connectToParent();
parent.onMessage(async (message) => {
  const response = await handleWorkerMessage(message, parent.runtime);
  parent.send(response);
  if (response.ok && message && (message as { type?: unknown }).type === 'shutdown') parent.close();
});
