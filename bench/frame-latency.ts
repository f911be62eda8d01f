import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FRAME_SAMPLES } from '../src/shared/audio';
import { preciseNow } from '../src/main/audio/capture-base';
import { WavFileInput } from '../src/main/audio/wav-file-input';
import { createCoreServices } from '../src/main/host/services';
import { FrameSender } from '../src/main/inference/frame-sender';
import type { WorkerChannel } from '../src/main/inference/worker-channel';
import { nodeWorkerLauncher } from '../src/main/inference/worker-launcher';
import { createLogger } from '../src/main/log';
import { JsonFileSettingsBackend } from '../src/main/settings/json-file-backend';

const ROOT = join(import.meta.dirname, '..');
const SECONDS = 10;

async function ready(channel: WorkerChannel): Promise<void> {
  await new Promise<void>((resolve) => {
    const off = channel.onMessage((m) => {
      if ((m as { id?: unknown }).id === 0) {
        off();
        resolve();
      }
    });
    channel.post({ type: 'ping', id: 0 });
  });
}

/**
 * Frame latency from the capture callback to arrival in the worker process, through the
 * whole main-side path (conversion, ring buffer, framing, bounded queue, IPC), against the
 * floor of the same IPC channel carrying a bare 80 ms frame, measured in the same run.
 */
export const frameLatencyBench = {
  name: `Frame latency, capture callback → worker (${SECONDS} s of jfk.wav at real-time pace)`,
  async run(): Promise<string[]> {
    const dir = mkdtempSync(join(tmpdir(), 'earshot-bench-'));
    const worker = nodeWorkerLauncher()();
    try {
      await ready(worker.channel);
      const core = createCoreServices({
        settingsBackend: new JsonFileSettingsBackend(join(dir, 'settings.json')),
        audioInput: await WavFileInput.open([join(ROOT, '..', 'shared', 'audio', 'jfk.wav')], 'loop'),
        log: createLogger('bench', () => undefined),
      });
      const sender = new FrameSender(worker.channel);
      core.audio.onFrame((samples, seq, captureTime) => sender.push(samples, seq, captureTime));
      await core.audio.start('bench');
      await new Promise((r) => setTimeout(r, SECONDS * 1000));
      await core.audio.stop('bench');
      await new Promise((r) => setTimeout(r, 200));
      const pipeline = sender.latencyPercentiles();
      sender.dispose();

      // The floor: the same channel, one bare frame at a time, timed the same way.
      const floor = new FrameSender(worker.channel, { window: 1 });
      const frame = new Float32Array(FRAME_SAMPLES);
      for (let seq = 0; seq < 500; seq++) {
        floor.push(frame, 1_000_000 + seq, preciseNow());
        await new Promise((r) => setTimeout(r, 2));
      }
      const bare = floor.latencyPercentiles();
      floor.dispose();
      return [
        `pipeline: ${pipeline.count} frames, p50 ${pipeline.p50.toFixed(2)} ms, p99 ${pipeline.p99.toFixed(2)} ms, dropped ${sender.dropped}`,
        `bare IPC: ${bare.count} frames, p50 ${bare.p50.toFixed(2)} ms, p99 ${bare.p99.toFixed(2)} ms`,
        `pipeline / bare IPC (p99): ${(pipeline.p99 / bare.p99).toFixed(2)}×   (target: pipeline p99 ≤ 2 ms on an idle machine)`,
      ];
    } finally {
      worker.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
