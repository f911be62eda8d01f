import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { MetricsEndpointStatus } from '../../shared/metrics';
import type { MetricsEndpointSettings } from '../../shared/settings';
import type { Logger } from '../log';
import type { MetricsService } from '../metrics/metrics-service';
import { answerMetrics, isMetricsPath, refuse } from './metrics-http';
import { isLoopbackAddress } from './serve/loopback';

const HOST = '127.0.0.1';

/**
 * The app's own Prometheus endpoint: `GET /metrics` and `/metrics.json` on 127.0.0.1 at the
 * port in the settings, with the settings' token, while they say it is on. It follows the
 * settings as they change (`apply`); a port already taken is a status the Monitor shows, not a
 * failure of the app.
 */
export class MetricsEndpoint {
  private server: Server | undefined;
  private applied = '';
  private status: MetricsEndpointStatus = { enabled: false, port: 0, url: null, token: null, error: null };
  /** One change at a time: a second waits for the first to have started or stopped the server. */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly metrics: MetricsService,
    private readonly log: Logger,
  ) {}

  get current(): MetricsEndpointStatus {
    return this.status;
  }

  /** Starts, moves or stops the server to match the settings; resolves with the outcome. */
  apply(settings: MetricsEndpointSettings): Promise<MetricsEndpointStatus> {
    this.chain = this.chain.then(() => this.change(settings));
    return this.chain.then(() => this.status);
  }

  /** Stops the server once a change under way is done; a later `apply` starts it again. */
  async close(): Promise<void> {
    this.chain = this.chain.then(async () => {
      await this.stop();
      this.status = { ...this.status, url: null };
    });
    this.applied = '';
    await this.chain;
  }

  private async change(settings: MetricsEndpointSettings): Promise<void> {
    const key = JSON.stringify(settings);
    if (key === this.applied) return;
    this.applied = key;
    await this.stop();
    const { port, token } = settings;
    this.status = { enabled: settings.enabled, port, url: null, token, error: null };
    if (!settings.enabled || !token) return;
    const server = createServer((req, res) => this.answer(req, res, port, token));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, HOST, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const message =
        code === 'EADDRINUSE'
          ? `Port ${port} is in use by another program: choose another port.`
          : `The metrics endpoint could not listen on ${HOST}:${port}: ${(error as Error).message}`;
      this.log.warn(message);
      this.status = { ...this.status, error: message };
      return;
    }
    this.server = server;
    this.status = { ...this.status, url: `http://${HOST}:${port}/metrics` };
    this.log.info(`metrics endpoint listening on ${HOST}:${port}`);
  }

  private answer(req: IncomingMessage, res: ServerResponse, port: number, token: string): void {
    if (!isLoopbackAddress(req.socket.remoteAddress)) return refuse(res, 403, 'Forbidden');
    // As for serve: a page that rebinds its own name to 127.0.0.1 cannot read it.
    if (req.headers.host !== `${HOST}:${port}` && req.headers.host !== `localhost:${port}`)
      return refuse(res, 421, `Ask http://${HOST}:${port}/metrics instead.`);
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Method not allowed');
    const url = new URL(req.url ?? '/', `http://${HOST}:${port}`);
    if (!isMetricsPath(url.pathname)) return refuse(res, 404, 'Not found: this endpoint serves /metrics only.');
    void answerMetrics(req, url, res, this.metrics, token);
  }

  private async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
