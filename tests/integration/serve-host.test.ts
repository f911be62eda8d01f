// The serve host over real sockets: token, origin and host checks, the contract over WebSocket, static files.
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startServeHost, type ServeHost } from '../../src/main/host/serve/serve-host';
import { JsonFileSettingsBackend } from '../../src/main/settings/json-file-backend';
import type { ServerFrame } from '../../src/shared/ws-protocol';
import { WavFileInput } from '../../src/main/audio/wav-file-input';
import { memoryLog } from '../support/memory-log';
import { SHARED_AUDIO } from '../support/shared-audio';
import { useTempDirs } from '../support/temp-dir';
import { NO_DESKTOP } from '../../src/main/actions/desktop';

const tempDir = useTempDirs();
let host: ServeHost | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
});

async function start(
  prepare?: (configDir: string) => void,
): Promise<{ host: ServeHost; lines: string[]; rendererDir: string }> {
  const configDir = tempDir();
  const rendererDir = tempDir();
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Earshot</title>');
  prepare?.(configDir);
  const { log, lines } = memoryLog();
  host = await startServeHost({
    port: 0,
    rendererDir,
    settingsBackend: new JsonFileSettingsBackend(join(configDir, 'settings.json')),
    audioInput: await WavFileInput.open([SHARED_AUDIO.jfk]),
    desktop: NO_DESKTOP,
    log,
  });
  return { host, lines, rendererDir };
}

const origin = (h: ServeHost) => `http://127.0.0.1:${h.port}`;

/** Opens a socket; resolves with it once open, or with the HTTP status of the refusal. */
function connect(h: ServeHost, opts: { token?: string | null; origin?: string; host?: string } = {}) {
  const token = opts.token === undefined ? h.token : opts.token;
  const url = `ws://127.0.0.1:${h.port}/ipc${token === null ? '' : `?token=${token}`}`;
  const headers: Record<string, string> = {};
  if (opts.host) headers.host = opts.host;
  const ws = new WebSocket(url, { origin: opts.origin ?? origin(h), headers });
  return new Promise<{ ws: WebSocket } | { status: number }>((resolve, reject) => {
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    ws.once('error', reject);
  });
}

function nextFrame(ws: WebSocket): Promise<ServerFrame> {
  return new Promise((resolve) => ws.once('message', (data) => resolve(JSON.parse(data.toString()) as ServerFrame)));
}

/** The result frame for request `id`, skipping events that arrive in between. */
function resultOf(ws: WebSocket, id: number): Promise<ServerFrame> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer): void => {
      const frame = JSON.parse(data.toString()) as ServerFrame;
      if (frame.type === 'result' && frame.id === id) {
        ws.off('message', onMessage);
        resolve(frame);
      }
    };
    ws.on('message', onMessage);
  });
}

function get(h: ServeHost, path: string, hostHeader?: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: h.port, path, headers: hostHeader ? { host: hostHeader } : {} },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('serve host WebSocket', () => {
  it('answers contract calls for a client with the token and our origin', async () => {
    const { host: h } = await start();
    const conn = await connect(h);
    if (!('ws' in conn)) throw new Error(`refused with ${conn.status}`);
    conn.ws.send(JSON.stringify({ type: 'invoke', id: 7, channel: 'profiles:list' }));
    const frame = await nextFrame(conn.ws);
    expect(frame).toMatchObject({ type: 'result', id: 7, result: { ok: true, value: { activeId: 'balanced' } } });
    conn.ws.close();
  });

  it.each([
    ['no token', { token: null }, 401],
    ['a wrong token', { token: 'x'.repeat(32) }, 401],
    ['a foreign origin', { origin: 'http://evil.test' }, 403],
    ['a look-alike origin', { origin: 'http://127.0.0.1.evil.test' }, 403],
    ['a foreign Host header (DNS rebinding)', { host: 'evil.test' }, 403],
  ] as const)('refuses a connection with %s', async (_what, opts, status) => {
    const { host: h, lines } = await start();
    await expect(connect(h, opts)).resolves.toEqual({ status });
    expect(lines.some((l) => l.includes('refused WebSocket connection'))).toBe(true);
  });

  it('guards and validates each call like Electron IPC', async () => {
    const { host: h } = await start();
    const conn = await connect(h);
    if (!('ws' in conn)) throw new Error('refused');
    conn.ws.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'system:exec', payload: 'rm -rf /' }));
    expect(await nextFrame(conn.ws)).toMatchObject({ id: 1, result: { ok: false, error: { code: 'UnknownChannel' } } });
    conn.ws.send(JSON.stringify({ type: 'invoke', id: 2, channel: 'profiles:set-active', payload: { id: 3 } }));
    expect(await nextFrame(conn.ws)).toMatchObject({ id: 2, result: { ok: false, error: { code: 'InvalidPayload' } } });
    conn.ws.close();
  });

  it('closes the socket on a malformed frame', async () => {
    const { host: h } = await start();
    const conn = await connect(h);
    if (!('ws' in conn)) throw new Error('refused');
    const closed = new Promise<number>((resolve) => conn.ws.once('close', (code) => resolve(code)));
    conn.ws.send('{not json');
    expect(await closed).toBe(4400);
  });

  it('broadcasts events to every client', async () => {
    const { host: h } = await start();
    const a = await connect(h);
    const b = await connect(h);
    if (!('ws' in a) || !('ws' in b)) throw new Error('refused');
    const seenByB = nextFrame(b.ws);
    a.ws.send(
      JSON.stringify({ type: 'invoke', id: 1, channel: 'profiles:set-active', payload: { id: 'low-latency' } }),
    );
    expect(await seenByB).toEqual({
      type: 'event',
      channel: 'profiles:active-changed',
      payload: { activeId: 'low-latency' },
    });
    a.ws.close();
    b.ws.close();
  });

  it("releases a client's microphone test when its socket closes, but not another client's", async () => {
    const { host: h } = await start();
    const a = await connect(h);
    const b = await connect(h);
    if (!('ws' in a) || !('ws' in b)) throw new Error('refused');
    const started = resultOf(a.ws, 1);
    a.ws.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'audio:start-test' }));
    expect(await started).toMatchObject({ result: { ok: true, value: { state: 'capturing' } } });
    const alsoStarted = resultOf(b.ws, 1);
    b.ws.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'audio:start-test' }));
    await alsoStarted;
    a.ws.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(h.services.audio.status.state).toBe('capturing'); // b still holds it
    b.ws.close();
    await expect.poll(() => h.services.audio.status.state).toBe('stopped');
  });

  it('reports recovered settings to the UI through app info', async () => {
    const { host: h } = await start((dir) => writeFileSync(join(dir, 'settings.json'), '{ oops'));
    const conn = await connect(h);
    if (!('ws' in conn)) throw new Error('refused');
    conn.ws.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'app:get-info' }));
    const frame = await nextFrame(conn.ws);
    expect(frame).toMatchObject({
      result: { ok: true, value: { host: 'serve', notices: [{ code: 'SettingsRecovered' }] } },
    });
    conn.ws.close();
  });
});

describe('serve host HTTP', () => {
  it('serves the renderer with a strict CSP that allows only its own socket', async () => {
    const { host: h } = await start();
    const res = await get(h, '/');
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>Earshot</title>');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain(`connect-src ws://127.0.0.1:${h.port}`);
    expect(csp).toContain("script-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('refuses paths outside the build, missing files and foreign Host headers', async () => {
    const { host: h } = await start();
    expect((await get(h, '/../package.json')).status).toBe(404);
    expect((await get(h, '/%2e%2e/%2e%2e/etc/passwd')).status).toBe(404);
    expect((await get(h, '/missing.js')).status).toBe(404);
    expect((await get(h, '/', 'attacker.test')).status).toBe(421);
  });
});
