import { contextBridge, ipcRenderer } from 'electron';
import { buildRawApi } from '../shared/ipc/api';
import type { IpcResult } from '../shared/ipc/result';

/**
 * Exposes `window.earshot`: one named method per contract channel, nothing else. The
 * renderer never sees `ipcRenderer`, and no method can reach a channel outside the contract.
 */
const api = buildRawApi({
  invoke: (channel, payload) => ipcRenderer.invoke(channel, payload) as Promise<IpcResult>,
  subscribe: (channel, listener) => {
    const wrapped = (_event: Electron.IpcRendererEvent, payload: unknown): void => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => {
      ipcRenderer.removeListener(channel, wrapped);
    };
  },
});

contextBridge.exposeInMainWorld('earshot', api);
