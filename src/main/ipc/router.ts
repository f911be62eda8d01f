import { AppError } from '../../shared/errors';
import {
  invokeChannels,
  isInvokeChannel,
  type InvokeChannel,
  type InvokeRequest,
  type InvokeResponse,
} from '../../shared/ipc/contract';
import { fail, ok, type IpcResult } from '../../shared/ipc/result';
import type { Logger } from '../log';
import { checkSender, type SenderInfo, type TrustedOrigin } from './sender-guard';

/** What a handler may know about the call besides its payload. */
export interface CallContext {
  connectionId: string;
}

export type InvokeHandler<C extends InvokeChannel> = (
  request: InvokeRequest<C>,
  context: CallContext,
) => InvokeResponse<C> | Promise<InvokeResponse<C>>;

/**
 * The single gate between transports (Electron IPC, WebSocket) and services. In order:
 * known channel, trusted sender, valid payload; only then does the handler run. Rejections
 * are answered with a typed error and logged; they never reach a service.
 */
export class IpcRouter {
  private readonly handlers = new Map<InvokeChannel, (request: unknown, context: CallContext) => unknown>();
  private readonly closedListeners = new Set<(connectionId: string) => void>();

  constructor(
    private readonly trusted: TrustedOrigin,
    private readonly log: Logger,
  ) {}

  /** Registers the handler for one contract channel; returns a disposer. */
  handle<C extends InvokeChannel>(channel: C, handler: InvokeHandler<C>): () => void {
    if (this.handlers.has(channel)) throw new Error(`handler for ${channel} already registered`);
    this.handlers.set(channel, handler as (request: unknown, context: CallContext) => unknown);
    return () => {
      if (this.handlers.get(channel) === handler) this.handlers.delete(channel);
    };
  }

  /** Services release what a window or socket held; returns a disposer. */
  onConnectionClosed(listener: (connectionId: string) => void): () => void {
    this.closedListeners.add(listener);
    return () => this.closedListeners.delete(listener);
  }

  /** Called by a transport when a window or socket goes away. */
  connectionClosed(connectionId: string): void {
    for (const listener of this.closedListeners) listener(connectionId);
  }

  async dispatch(channel: string, payload: unknown, sender: SenderInfo): Promise<IpcResult> {
    if (!isInvokeChannel(channel)) {
      this.log.warn(`rejected call on unknown channel "${channel.slice(0, 100)}"`);
      return fail({ code: 'UnknownChannel', message: 'That request is not part of this version of Earshot.' });
    }
    const verdict = checkSender(sender, this.trusted);
    if (!verdict.allowed) {
      this.log.warn(`rejected ${channel} from untrusted sender (${verdict.reason})`);
      return fail({ code: 'ForbiddenSender', message: 'This page is not allowed to talk to Earshot.' });
    }
    const spec = invokeChannels[channel];
    const parsed = spec.request.safeParse(payload);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.log.warn(`rejected ${channel}: malformed payload`, parsed.error.issues);
      return fail({
        code: 'InvalidPayload',
        message:
          `Malformed request for ${channel}: ${issue?.path.join('.') || 'payload'} ${issue?.message ?? ''}`.trim(),
      });
    }
    const handler = this.handlers.get(channel);
    if (!handler) {
      this.log.error(`no handler registered for ${channel}`);
      return fail({ code: 'Internal', message: `Earshot cannot answer ${channel} right now.` });
    }
    let value: unknown;
    try {
      value = await handler(parsed.data, { connectionId: sender.connectionId });
    } catch (err) {
      if (err instanceof AppError) return fail(err.toData());
      this.log.error(`${channel} failed`, err);
      return fail({ code: 'Internal', message: 'Something went wrong inside Earshot; the log has details.' });
    }
    // Responses are checked too: a service bug must not leak an unexpected shape to the UI.
    const response = spec.response.safeParse(value);
    if (!response.success) {
      this.log.error(`${channel} produced an invalid response`, response.error.issues);
      return fail({ code: 'InvalidResponse', message: `Earshot produced an invalid answer for ${channel}.` });
    }
    return ok(response.data);
  }
}
