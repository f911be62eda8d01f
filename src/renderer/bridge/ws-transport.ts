import { AppError } from '../../shared/errors';
import type { EventChannel, IpcTransport } from '../../shared/ipc/api';
import { fail, type IpcResult } from '../../shared/ipc/result';
import { ServerFrameSchema, WS_PATH, WS_TOKEN_PARAM, type ClientFrame } from '../../shared/ws-protocol';

const TOKEN_KEY = 'earshot.token';

/**
 * The per-run token arrives in the page URL once. It is kept for this tab only (so that a
 * reload works) and removed from the address bar so it is not bookmarked or shared.
 */
export function takeServeToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get(WS_TOKEN_PARAM);
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete(WS_TOKEN_PARAM);
    window.history.replaceState(null, '', url.toString());
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export type ConnectionListener = (connected: boolean, reason?: string) => void;

/** The IPC contract over the serve host's WebSocket: request ids and a pending map. */
export function connectWebSocketTransport(token: string, onConnection: ConnectionListener): IpcTransport {
  const socket = new WebSocket(`ws://${window.location.host}${WS_PATH}?${WS_TOKEN_PARAM}=${encodeURIComponent(token)}`);
  const pending = new Map<number, (result: IpcResult) => void>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let nextId = 1;
  let closedReason: string | null = null;

  const opened = new Promise<void>((resolve) => {
    socket.addEventListener('open', () => {
      onConnection(true);
      resolve();
    });
  });

  socket.addEventListener('message', (message: MessageEvent<unknown>) => {
    const parsed = typeof message.data === 'string' ? ServerFrameSchema.safeParse(parseJson(message.data)) : null;
    if (!parsed?.success) return;
    const frame = parsed.data;
    if (frame.type === 'result') {
      pending.get(frame.id)?.(frame.result as IpcResult);
      pending.delete(frame.id);
    } else {
      listeners.get(frame.channel)?.forEach((listener) => listener(frame.payload));
    }
  });

  socket.addEventListener('close', (event: CloseEvent) => {
    closedReason =
      event.code === 1006
        ? 'Earshot refused or lost the connection. Start `earshot serve` again and open the address it prints.'
        : `Earshot closed the connection (${event.reason || event.code}). Reload the page after restarting it.`;
    onConnection(false, closedReason);
    const error = new AppError('HostDisconnected', closedReason).toData();
    pending.forEach((settle) => settle(fail(error)));
    pending.clear();
  });

  return {
    async invoke(channel, payload): Promise<IpcResult> {
      if (closedReason === null) await Promise.race([opened, new Promise((r) => socket.addEventListener('close', r))]);
      if (closedReason !== null) return fail({ code: 'HostDisconnected', message: closedReason });
      const id = nextId++;
      const frame: ClientFrame = { type: 'invoke', id, channel, payload };
      return new Promise((resolve) => {
        pending.set(id, resolve);
        socket.send(JSON.stringify(frame));
      });
    },
    subscribe(channel: EventChannel, listener) {
      const set = listeners.get(channel) ?? new Set();
      listeners.set(channel, set);
      set.add(listener);
      return () => set.delete(listener);
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
