// The IPC router's guard: trusted top frame only, exact origin, known channels, valid payloads.
import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../../src/shared/errors';
import { IpcRouter } from '../../src/main/ipc/router';
import { checkSender, trustedOriginOf, type SenderInfo } from '../../src/main/ipc/sender-guard';
import { memoryLog } from '../support/memory-log';

const APP = trustedOriginOf('app://earshot/index.html');
const SERVE = trustedOriginOf('http://127.0.0.1:4310');

function routerWithSpy() {
  const { log, lines } = memoryLog();
  const router = new IpcRouter(APP, log);
  const handler = vi.fn((request: { id: string }) => ({ activeId: request.id }));
  router.handle('profiles:set-active', handler);
  return { router, handler, lines };
}

const top = (url: string | null): SenderInfo => ({ url, isTopFrame: true, connectionId: 'window-1' });

describe('checkSender', () => {
  it('accepts the app top frame, on any path of its own origin', () => {
    expect(checkSender(top('app://earshot/index.html'), APP)).toEqual({ allowed: true });
    expect(checkSender(top('app://earshot/#/profiles'), APP)).toEqual({ allowed: true });
    expect(checkSender(top('http://127.0.0.1:4310/?x=1'), SERVE)).toEqual({ allowed: true });
  });

  it.each([
    ['a foreign site', 'https://evil.test/'],
    ['a look-alike host', 'http://127.0.0.1.evil.test:4310/'],
    ['a look-alike with our origin as user info', 'http://127.0.0.1:4310@evil.test/'],
    ['another port', 'http://127.0.0.1:4311/'],
    ['localhost instead of 127.0.0.1', 'http://localhost:4310/'],
    ['https instead of http', 'https://127.0.0.1:4310/'],
    ['a file elsewhere', 'file:///tmp/evil/index.html'],
    ['a data URL', 'data:text/html,<script></script>'],
    ['garbage', 'not a url'],
  ])('rejects %s', (_what, url) => {
    expect(checkSender(top(url), SERVE).allowed).toBe(false);
  });

  it('rejects look-alikes of the app scheme and file URLs even for a file-based origin', () => {
    expect(checkSender(top('app://earshot.evil/index.html'), APP).allowed).toBe(false);
    expect(checkSender(top('app://evil/index.html'), APP).allowed).toBe(false);
    expect(checkSender(top('file:///tmp/index.html'), trustedOriginOf('file:///app/index.html')).allowed).toBe(false);
  });

  it('rejects sub-frames of our own origin and vanished frames', () => {
    expect(checkSender({ url: 'app://earshot/index.html', isTopFrame: false }, APP)).toEqual({
      allowed: false,
      reason: 'sub-frame',
    });
    expect(checkSender(top(null), APP).allowed).toBe(false);
  });
});

describe('IpcRouter.dispatch', () => {
  const app = top('app://earshot/index.html');

  it('runs the handler for a valid call from the app', async () => {
    const { router, handler } = routerWithSpy();
    await expect(router.dispatch('profiles:set-active', { id: 'low-latency' }, app)).resolves.toEqual({
      ok: true,
      value: { activeId: 'low-latency' },
    });
    expect(handler).toHaveBeenCalledWith({ id: 'low-latency' }, { connectionId: 'window-1' });
  });

  it.each([
    ['an unknown channel', 'profiles:delete-everything', { id: 'x' }, app, 'UnknownChannel'],
    ['a prototype key as channel', '__proto__', { id: 'x' }, app, 'UnknownChannel'],
    ['a foreign origin', 'profiles:set-active', { id: 'x' }, top('https://evil.test/'), 'ForbiddenSender'],
    ['a look-alike origin', 'profiles:set-active', { id: 'x' }, top('app://earshot.evil.test/'), 'ForbiddenSender'],
    ['a file:// page', 'profiles:set-active', { id: 'x' }, top('file:///home/u/evil.html'), 'ForbiddenSender'],
    [
      'a sub-frame',
      'profiles:set-active',
      { id: 'x' },
      { url: 'app://earshot/', isTopFrame: false, connectionId: 'w' },
      'ForbiddenSender',
    ],
    ['a missing payload', 'profiles:set-active', undefined, app, 'InvalidPayload'],
    ['a wrong type', 'profiles:set-active', { id: 42 }, app, 'InvalidPayload'],
    ['an extra field', 'profiles:set-active', { id: 'x', admin: true }, app, 'InvalidPayload'],
    ['an oversized id', 'profiles:set-active', { id: 'x'.repeat(65) }, app, 'InvalidPayload'],
    ['a payload where none is expected', 'profiles:list', { sneaky: 1 }, app, 'InvalidPayload'],
  ] as const)(
    'rejects %s with a typed error, logs it, and never runs a service',
    async (_what, channel, payload, sender, code) => {
      const { router, handler, lines } = routerWithSpy();
      const result = await router.dispatch(channel, payload, sender);
      expect(result).toMatchObject({ ok: false, error: { code } });
      expect(handler).not.toHaveBeenCalled();
      expect(lines.some((l) => l.includes('warn') && l.includes('rejected'))).toBe(true);
    },
  );

  it('checks the channel before the sender, and the sender before the payload', async () => {
    const { router } = routerWithSpy();
    const foreign = top('https://evil.test/');
    await expect(router.dispatch('nope', 1, foreign)).resolves.toMatchObject({ error: { code: 'UnknownChannel' } });
    await expect(router.dispatch('profiles:set-active', 1, foreign)).resolves.toMatchObject({
      error: { code: 'ForbiddenSender' },
    });
  });

  it('passes named service errors through and hides unexpected ones', async () => {
    const { log, lines } = memoryLog();
    const router = new IpcRouter(APP, log);
    router.handle('profiles:set-active', () => {
      throw new AppError('UnknownProfile', 'There is no profile "x".');
    });
    router.handle('profiles:list', () => {
      throw new Error('secret internal detail');
    });
    await expect(router.dispatch('profiles:set-active', { id: 'x' }, app)).resolves.toEqual({
      ok: false,
      error: { code: 'UnknownProfile', message: 'There is no profile "x".' },
    });
    const hidden = await router.dispatch('profiles:list', undefined, app);
    expect(hidden).toMatchObject({ ok: false, error: { code: 'Internal' } });
    expect(JSON.stringify(hidden)).not.toContain('secret');
    expect(lines.join('\n')).toContain('secret internal detail');
  });

  it('refuses to return a response that breaks the contract', async () => {
    const router = new IpcRouter(APP, memoryLog().log);
    router.handle('profiles:set-active', () => ({ activeId: 7 }) as unknown as { activeId: string });
    await expect(router.dispatch('profiles:set-active', { id: 'x' }, app)).resolves.toMatchObject({
      error: { code: 'InvalidResponse' },
    });
  });

  it('tells handlers which connection called, and services when a connection closes', async () => {
    const router = new IpcRouter(APP, memoryLog().log);
    const seen: string[] = [];
    router.handle('profiles:set-active', (request, { connectionId }) => {
      seen.push(connectionId);
      return { activeId: request.id };
    });
    const closed: string[] = [];
    const stop = router.onConnectionClosed((id) => closed.push(id));
    await router.dispatch('profiles:set-active', { id: 'x' }, { ...app, connectionId: 'socket:1' });
    router.connectionClosed('socket:1');
    stop();
    router.connectionClosed('socket:2');
    expect(seen).toEqual(['socket:1']);
    expect(closed).toEqual(['socket:1']);
  });

  it('registrations return a disposer and cannot be doubled', async () => {
    const { router } = routerWithSpy();
    expect(() => router.handle('profiles:set-active', () => ({ activeId: 'a' }))).toThrow(/already registered/);
    const dispose = router.handle('profiles:list', () => ({ profiles: [], activeId: 'balanced', custom: [] }));
    dispose();
    await expect(router.dispatch('profiles:list', undefined, app)).resolves.toMatchObject({
      error: { code: 'Internal' },
    });
  });
});
