import { AppError } from '../../shared/errors';
import { buildRawApi, unwrapApi, type EarshotApi } from '../../shared/ipc/api';
import { connectWebSocketTransport, takeServeToken, type ConnectionListener } from './ws-transport';

/**
 * The renderer's only way to reach main. Chosen once at start-up: the preload's API inside
 * Electron, the WebSocket to `earshot serve` in a browser. Only stores call it (lint).
 */
let current: EarshotApi | undefined;

export function installBridge(api: EarshotApi): void {
  current = api;
}

export function bridge(): EarshotApi {
  if (!current) throw new Error('bridge used before installBridge()');
  return current;
}

export function createBridge(onConnection: ConnectionListener): EarshotApi {
  if (window.earshot) {
    onConnection(true);
    return unwrapApi(window.earshot);
  }
  const token = takeServeToken();
  if (!token) {
    const message = 'This page needs the address printed by `earshot serve` (it carries an access token).';
    onConnection(false, message);
    return unwrapApi(
      buildRawApi({
        invoke: () => Promise.resolve({ ok: false, error: new AppError('HostDisconnected', message).toData() }),
        subscribe: () => () => undefined,
      }),
    );
  }
  return unwrapApi(buildRawApi(connectWebSocketTransport(token, onConnection)));
}
