import { WebSocket } from 'ws';
import type { ServerFrame } from '../../src/shared/ws-protocol';

/**
 * A client of a running `earshot serve` over its WebSocket, as the browser's bridge is: contract
 * calls by channel, and waits for events. `url` is the address serve printed (token included).
 */
export async function connectServe(url: string): Promise<{
  invoke(channel: string, payload?: unknown): Promise<unknown>;
  event(channel: string, matches: (payload: unknown) => boolean, timeoutMs: number): Promise<unknown>;
  /** Every event of `channel` received so far, oldest first. */
  received(channel: string): unknown[];
  close(): void;
}> {
  const page = new URL(url);
  const ws = new WebSocket(`ws://${page.host}/ipc${page.search}`, { origin: page.origin });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const frames: ServerFrame[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data: Buffer) => {
    frames.push(JSON.parse(data.toString()) as ServerFrame);
    waiters.forEach((wake) => wake());
  });
  const waitFor = (find: (frame: ServerFrame) => boolean, timeoutMs: number, what: string): Promise<ServerFrame> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const frame = frames.find(find);
        if (!frame) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(frame);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  let nextId = 1;
  return {
    async invoke(channel, payload) {
      const id = nextId++;
      ws.send(JSON.stringify({ type: 'invoke', id, channel, payload }));
      const frame = await waitFor((f) => f.type === 'result' && f.id === id, 30_000, `answer to ${channel}`);
      const result = frame.type === 'result' ? frame.result : null;
      if (!result?.ok) throw new Error(`${channel} failed: ${JSON.stringify(result)}`);
      return result.value;
    },
    async event(channel, matches, timeoutMs) {
      const frame = await waitFor(
        (f) => f.type === 'event' && f.channel === channel && matches(f.payload),
        timeoutMs,
        `${channel} event`,
      );
      return frame.type === 'event' ? frame.payload : null;
    },
    received: (channel) => frames.flatMap((f) => (f.type === 'event' && f.channel === channel ? [f.payload] : [])),
    close: () => ws.close(),
  };
}
