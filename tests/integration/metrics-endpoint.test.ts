// The app's own Prometheus endpoint, behind its setting: off by default; turned on over IPC it answers on 127.0.0.1 with a token kept in the settings (so it comes back after a restart), refuses requests without it or through another host name, says clearly when its port is taken, and stops answering when turned off.
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MetricsEndpointStatusSchema } from '../../src/shared/metrics';
import { startServe } from '../support/cli-process';
import { connectServe } from '../support/serve-client';
import { useTempDirs } from '../support/temp-dir';

const tempDir = useTempDirs();

/** A port that was free a moment ago, and a server holding another one. */
async function listening(): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
const portOf = (server: Server) => (server.address() as { port: number }).port;
const closed = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** GET with a Host header of our choosing (fetch does not let a caller set it). */
function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe("the app's metrics endpoint", () => {
  it('is off until turned on, then answers with its kept token only, and moves, fails clearly and stops as set', async () => {
    const dir = tempDir();
    const env = { EARSHOT_CONFIG_DIR: dir, EARSHOT_HISTORY_DB: join(dir, 'history.sqlite') };
    const free = await listening();
    const port = portOf(free);
    await closed(free);
    let serve = await startServe(['--no-build'], env);
    try {
      let client = await connectServe(serve.url);
      const off = MetricsEndpointStatusSchema.parse(await client.invoke('metrics:get-endpoint'));
      expect(off).toMatchObject({ enabled: false, url: null, token: null, error: null });

      const on = MetricsEndpointStatusSchema.parse(
        await client.invoke('metrics:set-endpoint', { enabled: true, port }),
      );
      expect(on).toMatchObject({ enabled: true, port, url: `http://127.0.0.1:${port}/metrics`, error: null });
      expect(on.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
      const bearer = { Authorization: `Bearer ${on.token}` };
      const scraped = await get(port, '/metrics', { ...bearer, Host: `127.0.0.1:${port}` });
      expect(scraped.status).toBe(200);
      expect(scraped.body).toMatch(/^# TYPE earshot_latency_seconds summary$/m);
      expect((await get(port, `/metrics.json?token=${on.token}`)).status).toBe(200);
      expect(await get(port, '/metrics')).toMatchObject({ status: 401, body: expect.stringMatching(/token/) });
      // A page that rebinds its own name to 127.0.0.1 is refused.
      expect((await get(port, '/metrics', { ...bearer, Host: `attacker.example:${port}` })).status).toBe(421);
      expect((await get(port, '/', bearer)).status).toBe(404);
      client.close();

      // After a restart it is on again, with the same token: a scraper's config stays valid.
      expect(await serve.stop()).toBe(0);
      serve = await startServe(['--no-build'], env);
      client = await connectServe(serve.url);
      expect(MetricsEndpointStatusSchema.parse(await client.invoke('metrics:get-endpoint'))).toEqual(on);
      expect((await get(port, '/metrics', bearer)).status).toBe(200);

      // A port another program holds: a clear reason, and nothing listening.
      const taken = await listening();
      try {
        const busy = MetricsEndpointStatusSchema.parse(
          await client.invoke('metrics:set-endpoint', { port: portOf(taken) }),
        );
        expect(busy).toMatchObject({ enabled: true, port: portOf(taken), url: null });
        expect(busy.error).toMatch(new RegExp(`Port ${portOf(taken)} is in use by another program`));
        await expect(get(port, '/metrics', bearer)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      } finally {
        await closed(taken);
      }

      // Turned off: it stops answering, and the token stays for next time.
      const stopped = MetricsEndpointStatusSchema.parse(
        await client.invoke('metrics:set-endpoint', { enabled: false, port }),
      );
      expect(stopped).toMatchObject({ enabled: false, url: null, token: on.token });
      await expect(get(port, '/metrics', bearer)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      // A port outside 1024–65535 is refused by the contract, before it reaches the settings.
      await expect(client.invoke('metrics:set-endpoint', { port: 80 })).rejects.toThrow();
      client.close();
    } finally {
      expect(await serve.stop(), serve.stderr()).toBe(0);
    }
  }, 90_000);
});
