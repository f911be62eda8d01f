// Device ranking and selection on synthetic device lists: latency first, then host API, format and name.
import { describe, expect, it } from 'vitest';
import type { AudioDevice, DeviceMeasurement } from '../../../src/shared/audio';
import { deviceIdOf, rankDevices, selectDevice } from '../../../src/main/audio/device-ranking';

function device(name: string, fields: Partial<AudioDevice> = {}): AudioDevice {
  const hostApi = fields.hostApi ?? 'ALSA';
  return {
    id: deviceIdOf(hostApi, name),
    name,
    hostApi,
    maxInputChannels: 2,
    defaultSampleRate: 48000,
    defaultLowInputLatency: 0.01,
    defaultHighInputLatency: 0.04,
    ...fields,
  };
}

const order = (devices: AudioDevice[], platform: NodeJS.Platform = 'linux') =>
  rankDevices(devices, platform).map((r) => [r.device.name, r.rank]);

describe('rankDevices', () => {
  it('puts the lowest reported input latency first', () => {
    const devices = [
      device('USB headset', { defaultLowInputLatency: 0.0087 }),
      device('Webcam mic', { defaultLowInputLatency: 0.032 }),
      device('Built-in mic', { defaultLowInputLatency: 0.0058 }),
    ];
    expect(order(devices)).toEqual([
      ['Built-in mic', 1],
      ['USB headset', 2],
      ['Webcam mic', 3],
    ]);
  });

  it('ranks unknown latency (0) after every known latency', () => {
    expect(
      order([device('virtual', { defaultLowInputLatency: 0 }), device('slow', { defaultLowInputLatency: 0.2 })]),
    ).toEqual([
      ['slow', 1],
      ['virtual', 2],
    ]);
  });

  it('breaks latency ties by the platform host-API order', () => {
    const same = { defaultLowInputLatency: 0.01 };
    const win = [
      device('Mic (MME)', { ...same, hostApi: 'MME' }),
      device('Mic (WASAPI)', { ...same, hostApi: 'Windows WASAPI' }),
      device('Mic (DirectSound)', { ...same, hostApi: 'Windows DirectSound' }),
    ];
    expect(order(win, 'win32').map(([name]) => name)).toEqual(['Mic (WASAPI)', 'Mic (DirectSound)', 'Mic (MME)']);
    const linux = [
      device('pulse', { ...same, hostApi: 'OSS' }),
      device('hw', { ...same, hostApi: 'JACK Audio Connection Kit' }),
    ];
    expect(order(linux).map(([name]) => name)).toEqual(['hw', 'pulse']);
  });

  it('then prefers native 16 kHz mono, then the name, so the order is stable', () => {
    const same = { defaultLowInputLatency: 0.01 };
    const devices = [
      device('b-stereo-48k', same),
      device('a-stereo-48k', same),
      device('mono-16k', { ...same, maxInputChannels: 1, defaultSampleRate: 16000 }),
      device('stereo-16k', { ...same, defaultSampleRate: 16000 }),
    ];
    expect(order(devices).map(([name]) => name)).toEqual(['mono-16k', 'stereo-16k', 'a-stereo-48k', 'b-stereo-48k']);
  });

  it('excludes output-only and monitor devices, listing them last with the reason', () => {
    const ranked = rankDevices(
      [
        device('Speakers', { maxInputChannels: 0, defaultLowInputLatency: 0.001 }),
        device('Monitor of Built-in Audio', { defaultLowInputLatency: 0.001 }),
        device('Mic'),
      ],
      'linux',
    );
    expect(ranked.map((r) => [r.device.name, r.rank])).toEqual([
      ['Mic', 1],
      ['Speakers', null],
      ['Monitor of Built-in Audio', null],
    ]);
    expect(ranked[1]?.note).toMatch(/excluded: no input channels/);
    expect(ranked[2]?.note).toMatch(/excluded: monitor/);
  });

  it('ranks by measurement when given: a reported-fast device that stutters drops behind', () => {
    const fast = device('fast on paper', { defaultLowInputLatency: 0.002 });
    const steady = device('steady', { defaultLowInputLatency: 0.02 });
    const broken = device('broken', { defaultLowInputLatency: 0.001 });
    const m = (fields: Partial<DeviceMeasurement>): DeviceMeasurement => ({
      ok: true,
      firstBufferMs: 20,
      meanIntervalMs: 10,
      jitterMs: 0.5,
      droppedBuffers: 0,
      error: null,
      ...fields,
    });
    const measurements = new Map([
      [fast.id, m({ firstBufferMs: 15, jitterMs: 6, droppedBuffers: 3 })],
      [steady.id, m({ firstBufferMs: 25, jitterMs: 0.4 })],
      [broken.id, m({ ok: false, firstBufferMs: null, error: 'no audio' })],
    ]);
    const ranked = rankDevices([fast, steady, broken], 'linux', measurements);
    expect(ranked.map((r) => r.device.name)).toEqual(['steady', 'fast on paper', 'broken']);
    expect(ranked[0]?.note).toBe('measured: first buffer 25 ms, jitter 0.4 ms, 0 dropped');
    expect(ranked[2]?.note).toBe('measurement failed: no audio');
  });
});

describe('selectDevice', () => {
  const a = device('Alpha', { defaultLowInputLatency: 0.005 });
  const b = device('Bravo', { defaultLowInputLatency: 0.01 });
  const ranked = rankDevices([a, b], 'linux');

  it('picks the lowest-latency device when the user chose none', () => {
    expect(selectDevice(ranked, null)).toEqual({
      id: a.id,
      name: 'Alpha',
      reason: 'lowest latency: reported input latency 5.0 ms',
      fallback: false,
    });
  });

  it("honours the user's choice by stable id", () => {
    expect(selectDevice(ranked, b.id)).toMatchObject({ id: b.id, reason: 'your choice', fallback: false });
  });

  it('falls back with a visible reason when the choice is missing or failing', () => {
    expect(selectDevice(ranked, deviceIdOf('ALSA', 'Gone'))).toMatchObject({
      id: a.id,
      fallback: true,
      reason: 'your choice "Gone" is not connected; using the next best until it is back',
    });
    expect(selectDevice(ranked, b.id, new Map([[b.id, 'no audio for 1.6 s']]))).toMatchObject({
      id: a.id,
      fallback: true,
      reason: 'your choice "Bravo" is not working (no audio for 1.6 s); using the next best until it is back',
    });
    expect(selectDevice(ranked, null, new Map([[a.id, 'stream error']]))).toMatchObject({
      id: b.id,
      fallback: true,
      reason: '"Alpha" is not working (stream error); using the next best',
    });
  });

  it('survives re-enumeration: indices change, ids do not', () => {
    const reordered = rankDevices([device('New webcam', { defaultLowInputLatency: 0.001 }), b, a], 'linux');
    expect(selectDevice(reordered, b.id)?.name).toBe('Bravo');
  });

  it('says how the pick was made when no latency is reported, or when devices were measured', () => {
    const quiet = rankDevices(
      [device('x', { defaultLowInputLatency: 0 }), device('y', { defaultLowInputLatency: 0 })],
      'linux',
    );
    expect(selectDevice(quiet, null)?.reason).toBe(
      'first in the ranking: no device reports its latency, so host API, native format and name decide',
    );
    const measured = rankDevices(
      [a, b],
      'linux',
      new Map([
        [a.id, { ok: true, firstBufferMs: 9, meanIntervalMs: 10, jitterMs: 0.2, droppedBuffers: 0, error: null }],
      ]),
    );
    expect(selectDevice(measured, null)?.reason).toBe('best measured: first buffer 9 ms, jitter 0.2 ms, 0 dropped');
  });

  it('returns null when nothing can be used', () => {
    expect(selectDevice([], null)).toBeNull();
    expect(
      selectDevice(
        ranked,
        null,
        new Map([
          [a.id, 'x'],
          [b.id, 'y'],
        ]),
      ),
    ).toBeNull();
  });
});
