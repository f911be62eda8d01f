import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { CaptureStatus, DeviceReport } from '../../shared/audio';
import type { EventPayload } from '../../shared/ipc/contract';
import { bridge } from '../bridge';
import { messageOf } from './error-message';

export type AudioLevel = EventPayload<'audio:level'>;

/** Microphones: the ranked list, the user's choice (or automatic), latency measurement and the mic test. */
export const useDevicesStore = defineStore('devices', () => {
  const report = ref<DeviceReport | null>(null);
  const status = ref<CaptureStatus | null>(null);
  /** The latest level only: it arrives up to 20 times a second and nothing needs the history. */
  const level = ref<AudioLevel | null>(null);
  /** The saved choice, from settings; null means automatic (the lowest-latency input). */
  const chosenId = ref<string | null>(null);
  const loaded = ref(false);
  const loading = ref(false);
  const measuring = ref(false);
  /** The device being chosen (null: automatic) while a choice is in flight. */
  const choosing = ref<{ id: string | null } | null>(null);
  /** True while this view's mic test holds the capture. */
  const testing = ref(false);
  const pendingTestCalls = ref(0);
  const error = ref<string | null>(null);

  const automatic = computed(() => chosenId.value === null);
  const selected = computed(() => report.value?.selected ?? null);
  const toggling = computed(() => pendingTestCalls.value > 0);
  const candidateCount = computed(() => report.value?.devices.filter((d) => d.rank !== null).length ?? 0);

  async function load(): Promise<void> {
    loading.value = true;
    try {
      const api = bridge();
      const [devices, settings, capture] = await Promise.all([
        api.listDevices({ measure: false }),
        api.getSettings(),
        api.getCaptureStatus(),
      ]);
      report.value = devices;
      chosenId.value = settings.audio.deviceId;
      status.value = capture;
      loaded.value = true;
      error.value = null;
    } catch (err) {
      error.value = messageOf(err);
    } finally {
      loading.value = false;
    }
  }

  /** Opens each candidate for about half a second; the ranking then follows what was measured. */
  async function measure(): Promise<void> {
    if (measuring.value) return;
    measuring.value = true;
    try {
      report.value = await bridge().listDevices({ measure: true });
      error.value = null;
    } catch (err) {
      error.value = messageOf(err);
    } finally {
      measuring.value = false;
    }
  }

  /** Saves the choice (null: automatic); main switches capture over if it is running. */
  async function choose(id: string | null): Promise<void> {
    if (choosing.value) return;
    choosing.value = { id };
    try {
      report.value = await bridge().chooseDevice({ deviceId: id });
      chosenId.value = id;
      error.value = null;
    } catch (err) {
      error.value = messageOf(err);
    } finally {
      choosing.value = null;
    }
  }

  // Start and stop run one after another, so a stop asked for while a start is in flight
  // (e.g. leaving the view) still releases the capture once the start has finished.
  let testQueue: Promise<void> = Promise.resolve();
  function queueTest(task: () => Promise<void>): Promise<void> {
    pendingTestCalls.value++;
    testQueue = testQueue.then(task).finally(() => pendingTestCalls.value--);
    return testQueue;
  }

  function startTest(): Promise<void> {
    return queueTest(async () => {
      if (testing.value) return;
      try {
        status.value = await bridge().startMicTest();
        testing.value = true;
        error.value = null;
      } catch (err) {
        error.value = messageOf(err);
      }
    });
  }

  function stopTest(): Promise<void> {
    return queueTest(async () => {
      if (!testing.value) return;
      try {
        status.value = await bridge().stopMicTest();
        testing.value = false;
        level.value = null;
        error.value = null;
      } catch (err) {
        error.value = messageOf(err);
      }
    });
  }

  async function refreshReport(): Promise<void> {
    try {
      report.value = await bridge().listDevices({ measure: false });
    } catch (err) {
      error.value = messageOf(err);
    }
  }

  /** Levels while capture runs, and capture changes (a lost device, the fallback, its return). */
  function subscribe(): () => void {
    const offLevel = bridge().onAudioLevel((next) => {
      level.value = next;
    });
    const offStatus = bridge().onCaptureStatus((next) => {
      status.value = next;
      if (next.state !== 'capturing') level.value = null;
      // Stopped by another window: this one's test is over too (main keeps one mic-test holder).
      if (next.state === 'stopped') testing.value = false;
      // A failover changes which device is selected and why.
      if (loaded.value && !choosing.value) void refreshReport();
    });
    return () => {
      offLevel();
      offStatus();
    };
  }

  return {
    report,
    status,
    level,
    chosenId,
    loaded,
    loading,
    measuring,
    choosing,
    testing,
    pendingTestCalls,
    error,
    automatic,
    selected,
    toggling,
    candidateCount,
    load,
    measure,
    choose,
    startTest,
    stopTest,
    subscribe,
  };
});
