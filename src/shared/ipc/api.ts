import { AppError } from '../errors';
import {
  eventChannels,
  invokeChannels,
  type EventChannel,
  type EventChannels,
  type EventPayload,
  type InvokeChannel,
  type InvokeChannels,
  type InvokeRequest,
  type InvokeResponse,
} from './contract';
import type { IpcResult } from './result';

/** How a bridge reaches main: the preload's ipcRenderer, a WebSocket, or an in-process router. */
export interface IpcTransport {
  invoke(channel: InvokeChannel, payload: unknown): Promise<IpcResult>;
  subscribe(channel: EventChannel, listener: (payload: unknown) => void): () => void;
}

type InvokeFn<C extends InvokeChannel, R> =
  undefined extends InvokeRequest<C> ? () => Promise<R> : (request: InvokeRequest<C>) => Promise<R>;

type EventFn<C extends EventChannel> = (listener: (payload: EventPayload<C>) => void) => () => void;

/** What the preload exposes as `window.earshot`: named methods that resolve with envelopes. */
export type EarshotRawApi = {
  [C in InvokeChannel as InvokeChannels[C]['method']]: InvokeFn<C, IpcResult<InvokeResponse<C>>>;
} & { [C in EventChannel as EventChannels[C]['method']]: EventFn<C> };

/** What stores call: the same methods, resolving with values and throwing `AppError`. */
export type EarshotApi = {
  [C in InvokeChannel as InvokeChannels[C]['method']]: InvokeFn<C, InvokeResponse<C>>;
} & { [C in EventChannel as EventChannels[C]['method']]: EventFn<C> };

/** Builds the named API from the contract, so no channel outside it can be reached. */
export function buildRawApi(transport: IpcTransport): EarshotRawApi {
  const api: Record<string, unknown> = {};
  for (const [channel, spec] of Object.entries(invokeChannels)) {
    api[spec.method] = (payload?: unknown) => transport.invoke(channel as InvokeChannel, payload);
  }
  for (const [channel, spec] of Object.entries(eventChannels)) {
    api[spec.method] = (listener: (payload: unknown) => void) => transport.subscribe(channel as EventChannel, listener);
  }
  return api as EarshotRawApi;
}

/** Turns envelopes into values or thrown `AppError`s. */
export function unwrapApi(raw: EarshotRawApi): EarshotApi {
  const api: Record<string, unknown> = {};
  const source = raw as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const spec of Object.values(invokeChannels)) {
    const call = source[spec.method];
    if (!call) throw new Error(`bridge is missing ${spec.method}`);
    api[spec.method] = async (...args: unknown[]) => {
      const result = (await call(...args)) as IpcResult;
      if (!result.ok) throw new AppError(result.error.code, result.error.message);
      return result.value;
    };
  }
  for (const spec of Object.values(eventChannels)) {
    const subscribe = source[spec.method];
    if (!subscribe) throw new Error(`bridge is missing ${spec.method}`);
    api[spec.method] = subscribe;
  }
  return api as EarshotApi;
}

export type { EventChannel, InvokeChannel };
