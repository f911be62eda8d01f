import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server saw it, and what it answered. */
export interface ServedRequest {
  path: string;
  range: string | undefined;
  authorization: string | undefined;
  acceptEncoding: string | undefined;
  status: number;
  /** Body bytes the server wrote (fewer than the file's when a fault cut or stalled it). */
  bytesSent: number;
}

interface Fault {
  kind: 'cut' | 'stall';
  afterBytes: number;
}

/**
 * A loopback HTTP file server for download tests: files by URL path with single open byte
 * ranges (206, 416), redirects, bearer tokens, and faults on demand (drop the connection or
 * stall after N body bytes, ignore Range headers).
 */
export class FileServer {
  readonly requests: ServedRequest[] = [];
  /** Answer every request with the whole file (200), as a server without range support does. */
  ignoreRange = false;
  private readonly files = new Map<string, Buffer>();
  private readonly redirects = new Map<string, string>();
  private readonly tokens = new Map<string, string>();
  private readonly faults = new Map<string, Fault>();
  private readonly paces = new Map<string, number>();

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
  ) {}

  static async start(): Promise<FileServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const files = new FileServer(server, `http://127.0.0.1:${port}`);
    server.on('request', (req, res) => files.handle(req, res));
    return files;
  }

  serve(path: string, body: Buffer): void {
    this.files.set(path, body);
  }

  redirect(from: string, to: string): void {
    this.redirects.set(from, to);
  }

  requireToken(path: string, token: string): void {
    this.tokens.set(path, token);
  }

  /** The next answer for `path` sends `afterBytes` body bytes, then drops the connection. */
  cutAfter(path: string, afterBytes: number): void {
    this.faults.set(path, { kind: 'cut', afterBytes });
  }

  /** The next answer for `path` sends `afterBytes` body bytes, then waits until the client leaves. */
  stallAfter(path: string, afterBytes: number): void {
    this.faults.set(path, { kind: 'stall', afterBytes });
  }

  /** Answers for `path` trickle out at about `bytesPerSecond`, in 10 ms steps. */
  pace(path: string, bytesPerSecond: number): void {
    this.paces.set(path, bytesPerSecond);
  }

  requestsFor(path: string): ServedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = decodeURIComponent(new URL(req.url ?? '/', this.baseUrl).pathname);
    const seen: ServedRequest = {
      path,
      range: req.headers.range,
      authorization: req.headers.authorization,
      acceptEncoding: req.headers['accept-encoding'],
      status: 0,
      bytesSent: 0,
    };
    this.requests.push(seen);
    const answer = (status: number, headers: Record<string, string | number> = {}, body: Buffer = Buffer.alloc(0)) => {
      seen.status = status;
      res.writeHead(status, { 'content-length': body.length, ...headers });
      const fault = this.faults.get(path);
      const pace = this.paces.get(path);
      if (pace !== undefined && !fault) return trickle(res, body, Math.round(pace / 100), seen);
      if (!fault || status >= 300) {
        seen.bytesSent = body.length;
        res.end(body);
        return;
      }
      this.faults.delete(path);
      const head = body.subarray(0, fault.afterBytes);
      seen.bytesSent = head.length;
      // Drop the connection only once the bytes before the cut have left.
      res.write(head, () => {
        if (fault.kind === 'cut') res.socket?.destroy();
      });
    };

    const location = this.redirects.get(path);
    if (location !== undefined) return answer(302, { location });
    const token = this.tokens.get(path);
    if (token !== undefined && req.headers.authorization !== `Bearer ${token}`) return answer(401);
    const file = this.files.get(path);
    if (file === undefined) return answer(404);
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (!range || this.ignoreRange) return answer(200, {}, file);
    const start = Number(range[1]);
    if (start >= file.length) return answer(416, { 'content-range': `bytes */${file.length}` });
    return answer(206, { 'content-range': `bytes ${start}-${file.length - 1}/${file.length}` }, file.subarray(start));
  }
}

/** Writes the body in steps every 10 ms; counts what left in `seen`. */
function trickle(res: ServerResponse, body: Buffer, bytesPerTick: number, seen: ServedRequest): void {
  const timer = setInterval(() => {
    const step = body.subarray(seen.bytesSent, seen.bytesSent + bytesPerTick);
    seen.bytesSent += step.length;
    if (seen.bytesSent < body.length) {
      res.write(step);
    } else {
      clearInterval(timer);
      res.end(step);
    }
  }, 10);
  res.on('close', () => clearInterval(timer));
}
