import type { IncomingMessage, ServerResponse } from 'node:http';
import { WS_TOKEN_PARAM } from '../../shared/ws-protocol';
import type { MetricsService } from '../metrics/metrics-service';
import { tokenMatches } from './serve/loopback';

/** Prometheus's conventional path (text exposition format); the JSON snapshot beside it. */
export const METRICS_PATH = '/metrics';
export const METRICS_JSON_PATH = '/metrics.json';

export function isMetricsPath(pathname: string): boolean {
  return pathname === METRICS_PATH || pathname === METRICS_JSON_PATH;
}

/**
 * `GET /metrics` (or `/metrics.json`): the token is required (`?token=` or `Authorization:
 * Bearer`), as for serve's WebSocket: the figures say what the user is doing (when they speak,
 * how often). Used by `earshot serve` and by the app's own endpoint (metrics-endpoint.ts).
 */
export async function answerMetrics(
  req: IncomingMessage,
  url: URL,
  res: ServerResponse,
  metrics: MetricsService,
  token: string,
): Promise<void> {
  const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? null;
  if (!tokenMatches(token, url.searchParams.get(WS_TOKEN_PARAM) ?? bearer))
    return refuse(res, 401, 'Unauthorized: add ?token=<the token> or an Authorization: Bearer header.');
  let body: string;
  let type: string;
  try {
    if (url.pathname === METRICS_JSON_PATH) {
      body = JSON.stringify(await metrics.snapshot());
      type = 'application/json; charset=utf-8';
    } else {
      body = await metrics.prometheus.exposition();
      type = metrics.prometheus.registry.contentType;
    }
  } catch (error) {
    return refuse(res, 500, `Metrics failed: ${(error as Error).message}`);
  }
  res.writeHead(200, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

export function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end(message + '\n');
}
