import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  ClientFrameSchema,
  WS_CLOSE_PROTOCOL_ERROR,
  WS_PATH,
  WS_TOKEN_PARAM,
  type ServerFrame,
} from '../../../shared/ws-protocol';
import { checkSender, trustedOriginOf } from '../../ipc/sender-guard';
import type { Desktop } from '../../actions/desktop';
import type { AudioInput } from '../../audio/audio-input';
import type { Logger } from '../../log';
import type { SettingsBackend } from '../../settings/settings-backend';
import { contentSecurityPolicy } from '../content-security-policy';
import { answerMetrics, isMetricsPath, refuse } from '../metrics-http';
import { composeServices, type AppServices } from '../services';
import { contentTypeOf, resolveStaticPath } from '../static-files';
import { isLoopbackAddress, tokenMatches } from './loopback';

export interface ServeOptions {
  /** 0 lets the OS pick a free port. */
  port: number;
  rendererDir: string;
  settingsBackend: SettingsBackend;
  audioInput: AudioInput;
  desktop: Desktop;
  /** Watch the settings' hold key (`serve --hold-key`); off by default, as a key hook is global. */
  holdKey?: boolean;
  log: Logger;
}

export interface ServeHost {
  url: string;
  port: number;
  token: string;
  services: AppServices;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
const MAX_FRAME_BYTES = 1 << 20;

/**
 * `earshot serve`: the same services as the Electron main process, with the built renderer
 * over HTTP and the IPC contract over a WebSocket, on loopback only. Every connection must
 * present this run's random token, come from a loopback address and carry our own Origin.
 */
export async function startServeHost(options: ServeOptions): Promise<ServeHost> {
  const { log } = options;
  const token = randomBytes(24).toString('base64url');
  const server = createServer();
  await listen(server, options.port);
  const port = (server.address() as { port: number }).port;
  const origin = `http://${HOST}:${port}`;
  const services = composeServices({
    host: 'serve',
    settingsBackend: options.settingsBackend,
    audioInput: options.audioInput,
    desktop: options.desktop,
    holdKey: options.holdKey,
    trustedOrigin: trustedOriginOf(origin),
    log,
  });
  const csp = contentSecurityPolicy({ connect: [`ws://${HOST}:${port}`] });
  const expectedHost = `${HOST}:${port}`;

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!isLoopbackAddress(req.socket.remoteAddress)) return refuse(res, 403, 'Forbidden');
    // A Host check stops DNS-rebinding pages from reading the app through another name.
    if (req.headers.host !== expectedHost) return refuse(res, 421, `Open ${origin}/ instead.`);
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Method not allowed');
    const url = new URL(req.url ?? '/', origin);
    if (isMetricsPath(url.pathname)) return void answerMetrics(req, url, res, services.metrics, token);
    serveFile(req, res, options.rendererDir, csp);
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const problem = upgradeProblem(req, expectedHost, token, origin);
    if (problem) {
      log.warn(`refused WebSocket connection: ${problem.reason}`);
      socket.end(`HTTP/1.1 ${problem.status} ${problem.reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => attachClient(ws, services, origin, log));
  });

  const removeSink = services.events.addSink((channel, payload) => {
    const frame = JSON.stringify({ type: 'event', channel, payload } satisfies ServerFrame);
    for (const client of sockets.clients) if (client.readyState === client.OPEN) client.send(frame);
  });

  return {
    url: `${origin}/?${WS_TOKEN_PARAM}=${token}`,
    port,
    token,
    services,
    async close() {
      removeSink();
      for (const client of sockets.clients) client.close(1001, 'Earshot is shutting down');
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      await services.dispose();
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((done, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      done();
    });
  });
}

function upgradeProblem(
  req: IncomingMessage,
  expectedHost: string,
  token: string,
  origin: string,
): { status: number; reason: string } | null {
  if (!isLoopbackAddress(req.socket.remoteAddress)) return { status: 403, reason: 'Forbidden' };
  if (req.headers.host !== expectedHost) return { status: 403, reason: 'Forbidden' };
  const url = new URL(req.url ?? '/', origin);
  if (url.pathname !== WS_PATH) return { status: 404, reason: 'Not Found' };
  if (!tokenMatches(token, url.searchParams.get(WS_TOKEN_PARAM))) return { status: 401, reason: 'Unauthorized' };
  const verdict = checkSender({ url: req.headers.origin ?? null, isTopFrame: true }, trustedOriginOf(origin));
  if (!verdict.allowed) return { status: 403, reason: 'Forbidden' };
  return null;
}

function attachClient(ws: WebSocket, services: AppServices, origin: string, log: Logger): void {
  // The Origin was checked at the upgrade; the router checks it again per call, as for Electron.
  const sender = { url: origin, isTopFrame: true, connectionId: `socket:${randomUUID()}` };
  ws.once('close', () => services.router.connectionClosed(sender.connectionId));
  ws.on('message', (data, isBinary) => {
    let frame;
    try {
      frame = isBinary ? null : ClientFrameSchema.safeParse(JSON.parse(data.toString()));
    } catch {
      frame = null;
    }
    if (!frame?.success) {
      log.warn('closing WebSocket after a malformed frame');
      ws.close(WS_CLOSE_PROTOCOL_ERROR, 'malformed frame');
      return;
    }
    const { id, channel, payload } = frame.data;
    void services.router.dispatch(channel, payload, sender).then((result) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'result', id, result } satisfies ServerFrame));
    });
  });
}

function serveFile(req: IncomingMessage, res: ServerResponse, root: string, csp: string): void {
  const path = resolveStaticPath(root, req.url ?? '/');
  let size: number;
  try {
    if (!path) throw new Error('outside root');
    const stat = statSync(path);
    if (!stat.isFile()) throw new Error('not a file');
    size = stat.size;
  } catch {
    return refuse(res, 404, 'Not found');
  }
  res.writeHead(200, {
    'Content-Type': contentTypeOf(path),
    'Content-Length': size,
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(path).pipe(res);
}
