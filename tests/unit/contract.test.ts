// The IPC contract: naming rules, strict schemas, and the API derived from it.
import { describe, expect, it } from 'vitest';
import { buildRawApi, unwrapApi } from '../../src/shared/ipc/api';
import { AppInfoSchema, eventChannels, invokeChannels } from '../../src/shared/ipc/contract';
import { ClientFrameSchema, ServerFrameSchema } from '../../src/shared/ws-protocol';
import { AppError } from '../../src/shared/errors';

describe('IPC contract', () => {
  it('names channels domain:verb, methods uniquely, and events onX', () => {
    const methods = [...Object.values(invokeChannels), ...Object.values(eventChannels)].map((s) => s.method);
    expect(new Set(methods).size).toBe(methods.length);
    for (const channel of [...Object.keys(invokeChannels), ...Object.keys(eventChannels)]) {
      expect(channel).toMatch(/^[a-z]+:[a-z]+(-[a-z]+)*$/);
    }
    for (const spec of Object.values(eventChannels)) expect(spec.method).toMatch(/^on[A-Z]/);
    for (const spec of Object.values(invokeChannels)) expect(spec.method).toMatch(/^[a-z][A-Za-z]+$/);
  });

  it('uses strict object schemas: unknown fields are rejected', () => {
    const request = invokeChannels['profiles:set-active'].request;
    expect(request.safeParse({ id: 'balanced' }).success).toBe(true);
    expect(request.safeParse({ id: 'balanced', extra: 1 }).success).toBe(false);
    expect(request.safeParse({ id: '' }).success).toBe(false);
    expect(invokeChannels['profiles:list'].request.safeParse(undefined).success).toBe(true);
    expect(invokeChannels['profiles:list'].request.safeParse({}).success).toBe(false);
  });

  it('describes app info completely', () => {
    const info = {
      name: 'Earshot',
      version: '0.1.0',
      host: 'serve',
      platform: 'linux',
      arch: 'x64',
      versions: { node: '20.0.0', electron: null, chrome: null, onnxruntime: '1.30.0' },
      notices: [{ code: 'SettingsRecovered', message: 'kept a backup' }],
      settingsLocation: '/tmp/settings.json',
      dataLocation: '/tmp/earshot',
    };
    expect(AppInfoSchema.parse(info)).toEqual(info);
    expect(AppInfoSchema.safeParse({ ...info, host: 'web' }).success).toBe(false);
    expect(AppInfoSchema.safeParse({ ...info, notices: [{ code: 'Whatever', message: '' }] }).success).toBe(false);
  });

  it('validates WebSocket frames', () => {
    expect(ClientFrameSchema.safeParse({ type: 'invoke', id: 1, channel: 'profiles:list' }).success).toBe(true);
    expect(ClientFrameSchema.safeParse({ type: 'invoke', id: -1, channel: 'x' }).success).toBe(false);
    expect(ClientFrameSchema.safeParse({ type: 'subscribe', id: 1, channel: 'x' }).success).toBe(false);
    expect(ServerFrameSchema.safeParse({ type: 'result', id: 1, result: { ok: true, value: 3 } }).success).toBe(true);
    expect(ServerFrameSchema.safeParse({ type: 'result', id: 1, result: { ok: false } }).success).toBe(false);
  });
});

describe('API derived from the contract', () => {
  it('exposes exactly one method per channel and routes each to its own channel', async () => {
    const calls: [string, unknown][] = [];
    const raw = buildRawApi({
      invoke: (channel, payload) => {
        calls.push([channel, payload]);
        return Promise.resolve({ ok: true, value: channel });
      },
      subscribe: () => () => undefined,
    });
    const expected = [...Object.values(invokeChannels), ...Object.values(eventChannels)].map((s) => s.method).sort();
    expect(Object.keys(raw).sort()).toEqual(expected);
    await raw.setActiveProfile({ id: 'balanced' });
    await raw.listProfiles();
    expect(calls).toEqual([
      ['profiles:set-active', { id: 'balanced' }],
      ['profiles:list', undefined],
    ]);
  });

  it('unwraps envelopes into values and typed errors', async () => {
    const api = unwrapApi(
      buildRawApi({
        invoke: (channel) =>
          Promise.resolve(
            channel === 'profiles:list'
              ? { ok: true, value: { profiles: [], activeId: 'balanced' } }
              : { ok: false, error: { code: 'UnknownProfile', message: 'no such profile' } },
          ),
        subscribe: () => () => undefined,
      }),
    );
    await expect(api.listProfiles()).resolves.toEqual({ profiles: [], activeId: 'balanced' });
    const error = await api.setActiveProfile({ id: 'nope' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'UnknownProfile', message: 'no such profile' });
  });
});
