// @vitest-environment happy-dom
// The Devices view and its store: rendering from state, and the store against the real audio services (a WAV microphone).
import { createTestingPinia } from '@pinia/testing';
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it, vi } from 'vitest';
import type { CaptureStatus, DeviceReport, RankedDevice } from '../../../src/shared/audio';
import DevicesView from '../../../src/renderer/views/DevicesView.vue';
import { installBridge } from '../../../src/renderer/bridge';
import { useDevicesStore } from '../../../src/renderer/stores/devices';
import { loopbackBridge } from '../../support/loopback-bridge';
import { useTempDirs } from '../../support/temp-dir';

const tempDir = useTempDirs();

const USB: RankedDevice = {
  device: {
    id: 'ALSA:USB Mic',
    name: 'USB Mic',
    hostApi: 'ALSA',
    maxInputChannels: 1,
    defaultSampleRate: 48000,
    defaultLowInputLatency: 0.0087,
    defaultHighInputLatency: 0.0348,
  },
  rank: 1,
  note: 'measured: first buffer 12 ms, jitter 0.4 ms, 0 dropped',
  measurement: { ok: true, firstBufferMs: 12.2, meanIntervalMs: 10, jitterMs: 0.41, droppedBuffers: 0, error: null },
};
const BUILT_IN: RankedDevice = {
  device: {
    id: 'ALSA:HDA Intel PCH: ALC257 Analog',
    name: 'HDA Intel PCH: ALC257 Analog',
    hostApi: 'ALSA',
    maxInputChannels: 2,
    defaultSampleRate: 44100,
    defaultLowInputLatency: 0,
    defaultHighInputLatency: 0,
  },
  rank: 2,
  note: 'measurement failed: Device unavailable',
  measurement: {
    ok: false,
    firstBufferMs: null,
    meanIntervalMs: null,
    jitterMs: null,
    droppedBuffers: 0,
    error: 'Device unavailable',
  },
};
const MONITOR: RankedDevice = {
  device: {
    id: 'ALSA:Monitor of Built-in Audio',
    name: 'Monitor of Built-in Audio',
    hostApi: 'ALSA',
    maxInputChannels: 2,
    defaultSampleRate: 48000,
    defaultLowInputLatency: 0.0087,
    defaultHighInputLatency: 0.0348,
  },
  rank: null,
  note: 'excluded: monitor of an output, not a microphone',
  measurement: null,
};

const AUTOMATIC: DeviceReport = {
  devices: [USB, BUILT_IN, MONITOR],
  selected: {
    id: USB.device.id,
    name: 'USB Mic',
    reason: 'lowest latency: measured: first buffer 12 ms',
    fallback: false,
  },
};
const STOPPED: CaptureStatus = { state: 'stopped', device: null, sampleRate: null, channels: null, message: null };

function mountView(state: Record<string, unknown>) {
  const pinia = createTestingPinia({ createSpy: vi.fn, initialState: { devices: { loaded: true, ...state } } });
  const store = useDevicesStore(pinia);
  vi.mocked(store.subscribe).mockReturnValue(() => undefined);
  const wrapper = mount(DevicesView, { global: { plugins: [pinia] } });
  return { wrapper, store };
}

describe('DevicesView', () => {
  it('lists devices best first with their figures, excluded ones dimmed at the end, and the selection with its reason', () => {
    const { wrapper } = mountView({ report: AUTOMATIC, status: STOPPED, chosenId: null });
    const rows = wrapper.findAll('[data-testid="device-row"]');
    expect(rows.map((r) => r.attributes('data-device-id'))).toEqual([USB, BUILT_IN, MONITOR].map((d) => d.device.id));
    expect(rows.map((r) => r.get('[data-testid="device-rank"]').text())).toEqual(['1', '2', '—']);

    const [usb, builtIn, monitor] = rows;
    expect(usb!.classes()).toContain('in-use');
    expect(usb!.attributes('aria-current')).toBe('true');
    expect(usb!.text()).toContain('48 kHz, 1 ch');
    expect(usb!.text()).toContain('8.7 ms – 34.8 ms');
    expect(usb!.get('.measured').text()).toMatch(/^first buffer 12 ms\s*jitter 0\.4 ms, 0 dropped$/);
    expect(builtIn!.text()).toContain('44.1 kHz, 2 ch');
    expect(builtIn!.text()).toContain('not reported');
    expect(builtIn!.get('.measured').text()).toMatch(/^failed\s*Device unavailable$/);
    expect(builtIn!.classes()).not.toContain('in-use');
    expect(monitor!.classes()).toContain('excluded');
    expect(monitor!.get('[data-testid="device-note"]').text()).toBe(
      'Excluded: monitor of an output, not a microphone.',
    );
    expect(monitor!.find('button').exists()).toBe(false);

    expect(wrapper.get('[data-testid="selected-device"]').text()).toBe('USB Mic');
    expect(wrapper.get('[data-testid="selected-reason"]').text()).toBe('Lowest latency: measured: first buffer 12 ms.');
    expect(wrapper.get('[data-testid="selection"]').classes()).not.toContain('fallback');
    expect(wrapper.get('[data-testid="auto-choice"]').attributes('aria-pressed')).toBe('true');
    expect(wrapper.get('[data-testid="choice-mode"]').text()).toBe('Automatic is on.');
    expect(wrapper.get('[data-testid="capture-status"]').text()).toBe('Not capturing.');
    expect(wrapper.find('[data-testid="level-meter"]').exists()).toBe(false);
  });

  it('shows a fallback as a warning, with the lost device and the reason', () => {
    const selected = {
      id: BUILT_IN.device.id,
      name: BUILT_IN.device.name,
      reason: 'your choice "USB Mic" is not working (no audio for 1.6 s); using the next best until it is back',
      fallback: true,
    };
    const { wrapper } = mountView({
      report: { devices: [USB, BUILT_IN, MONITOR], selected },
      status: {
        state: 'capturing',
        device: selected,
        sampleRate: 44100,
        channels: 2,
        message: 'Lost "USB Mic" (no audio for 1.6 s).',
      },
      chosenId: USB.device.id,
      testing: true,
      level: { rmsDb: -23.46, peakDb: -9 },
    });
    expect(wrapper.get('[data-testid="selection"]').classes()).toContain('fallback');
    expect(wrapper.get('[data-testid="selected-reason"]').text()).toMatch(/^Your choice "USB Mic" is not working/);
    const row = wrapper.get(`[data-device-id="${BUILT_IN.device.id}"]`);
    expect(row.classes()).toEqual(expect.arrayContaining(['in-use', 'fallback']));
    expect(row.text()).toContain('In use (fallback)');
    expect(wrapper.get(`[data-device-id="${USB.device.id}"]`).text()).toContain('Your choice');
    expect(wrapper.get(`[data-device-id="${USB.device.id}"] button`).attributes('disabled')).toBeDefined();
    expect(wrapper.get('[data-testid="auto-choice"]').attributes('aria-pressed')).toBe('false');
    expect(wrapper.get('[data-testid="choice-mode"]').text()).toBe('Using your choice.');

    const alert = wrapper.get('[role="alert"]');
    expect(alert.classes()).toContain('warning');
    expect(alert.text()).toBe('Lost "USB Mic" (no audio for 1.6 s).');
    expect(wrapper.get('[data-testid="capture-status"]').text()).toBe(
      'Capturing from HDA Intel PCH: ALC257 Analog at 44.1 kHz, 2 ch.',
    );

    const meter = wrapper.get('[data-testid="level-meter"]');
    expect(meter.attributes()).toMatchObject({
      role: 'meter',
      'aria-valuenow': '-23.5',
      'aria-valuemin': '-60',
      'aria-valuemax': '0',
      'aria-valuetext': '−23 dBFS, peak −9 dBFS',
    });
  });

  it('sends choices, measuring and the mic test to the store, and stops the test on leaving', async () => {
    const { wrapper, store } = mountView({ report: AUTOMATIC, status: STOPPED, chosenId: USB.device.id });
    expect(store.subscribe).toHaveBeenCalledTimes(1);
    expect(store.load).toHaveBeenCalledTimes(1);

    await wrapper.get(`[data-device-id="${BUILT_IN.device.id}"] button`).trigger('click');
    expect(store.choose).toHaveBeenLastCalledWith(BUILT_IN.device.id);
    await wrapper.get('[data-testid="auto-choice"]').trigger('click');
    expect(store.choose).toHaveBeenLastCalledWith(null);
    await wrapper.get('[data-testid="measure-button"]').trigger('click');
    expect(store.measure).toHaveBeenCalledTimes(1);

    await wrapper.get('[data-testid="mic-test-toggle"]').trigger('click');
    expect(store.startTest).toHaveBeenCalledTimes(1);
    store.testing = true;
    await wrapper.vm.$nextTick();
    expect(wrapper.get('[data-testid="mic-test-toggle"]').text()).toBe('Stop test');
    expect(wrapper.get('[data-testid="level-meter"]').attributes('aria-valuenow')).toBe('-60');
    store.status = { ...STOPPED, state: 'capturing', sampleRate: 48000, channels: 1, device: AUTOMATIC.selected };
    await wrapper.vm.$nextTick();
    // The device in use is measured from its live stream, so measuring stays available during the test.
    expect(wrapper.get('[data-testid="measure-button"]').attributes('disabled')).toBeUndefined();
    await wrapper.get('[data-testid="mic-test-toggle"]').trigger('click');
    expect(store.stopTest).toHaveBeenCalledTimes(1);

    wrapper.unmount();
    expect(store.stopTest).toHaveBeenCalledTimes(2);
  });

  it('disables measuring while it runs and says how long it takes', () => {
    const { wrapper } = mountView({ report: AUTOMATIC, status: STOPPED, measuring: true });
    const button = wrapper.get('[data-testid="measure-button"]');
    expect(button.attributes('disabled')).toBeDefined();
    expect(button.text()).toBe('Measuring…');
    expect(wrapper.get('[role="status"]').text()).toContain('about 1 s');
  });
});

describe('useDevicesStore', () => {
  it('loads, chooses, persists, runs the mic test with live levels, and reports a bad choice', async () => {
    const dir = tempDir();
    const { api, services } = await loopbackBridge(dir);
    installBridge(api);
    setActivePinia(createPinia());
    const store = useDevicesStore();
    const unsubscribe = store.subscribe();
    const jfk = 'WAV file:jfk.wav';

    try {
      await store.load();
      expect(store.report?.devices.map((d) => [d.device.id, d.rank])).toEqual([[jfk, 1]]);
      expect(store.selected).toMatchObject({ id: jfk, reason: 'the only input device', fallback: false });
      expect(store.automatic).toBe(true);
      expect(store.status?.state).toBe('stopped');

      await store.choose(jfk);
      expect(store.selected?.reason).toBe('your choice');
      expect(store.automatic).toBe(false);
      expect((await loopbackBridge(dir)).services.settings.get().audio.deviceId).toBe(jfk);

      await store.startTest();
      expect(store.testing).toBe(true);
      expect(store.status).toMatchObject({ state: 'capturing', sampleRate: 16000, channels: 1, device: { id: jfk } });
      // jfk.wav is speaking within a quarter of a second.
      await vi.waitFor(() => expect(store.level?.rmsDb).toBeGreaterThan(-40), { timeout: 1000, interval: 20 });

      await store.stopTest();
      expect(store.testing).toBe(false);
      expect(store.status?.state).toBe('stopped');
      expect(store.level).toBeNull();
      expect(services.audio.status.state).toBe('stopped');

      // A stop asked for while the start is in flight (leaving the view) still releases the microphone.
      const started = store.startTest();
      const stopped = store.stopTest();
      await Promise.all([started, stopped]);
      expect(store.testing).toBe(false);
      expect(services.audio.status.state).toBe('stopped');

      await store.choose('WAV file:nope.wav');
      expect(store.error).toMatch(/There is no device "WAV file:nope.wav"/);
      expect(store.chosenId).toBe(jfk);

      await store.choose(null);
      expect(store.error).toBeNull();
      expect(store.automatic).toBe(true);
      expect(store.selected?.reason).toBe('the only input device');
    } finally {
      unsubscribe();
      await services.dispose();
    }
  });
});
