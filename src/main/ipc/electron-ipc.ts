import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { invokeChannels, type InvokeChannel } from '../../shared/ipc/contract';
import type { EventHub } from './event-hub';
import type { IpcRouter } from './router';
import type { SenderInfo } from './sender-guard';

/**
 * The only place that touches `ipcMain` (enforced by lint). Registers one `ipcMain.handle`
 * per contract channel and hands every call to the router, which guards and validates it.
 */
export function registerElectronIpc(router: IpcRouter): () => void {
  const channels = Object.keys(invokeChannels) as InvokeChannel[];
  const watched = new Set<number>();
  const senderOf = (event: IpcMainInvokeEvent): SenderInfo => {
    const contents = event.sender;
    const connectionId = `webcontents:${contents.id}`;
    if (!watched.has(contents.id)) {
      watched.add(contents.id);
      contents.once('destroyed', () => {
        watched.delete(contents.id);
        router.connectionClosed(connectionId);
      });
    }
    const frame = event.senderFrame;
    return {
      url: frame?.url ?? null,
      // Only the window's main frame may call; iframes (even of our origin) may not.
      isTopFrame: frame !== null && frame === contents.mainFrame,
      connectionId,
    };
  };
  for (const channel of channels) {
    ipcMain.handle(channel, (event, payload: unknown) => router.dispatch(channel, payload, senderOf(event)));
  }
  return () => channels.forEach((channel) => ipcMain.removeHandler(channel));
}

/** Forwards hub events to one window for as long as it lives. */
export function forwardEventsTo(contents: WebContents, hub: EventHub): () => void {
  const remove = hub.addSink((channel, payload) => {
    if (!contents.isDestroyed()) contents.send(channel, payload);
  });
  contents.once('destroyed', remove);
  return remove;
}
