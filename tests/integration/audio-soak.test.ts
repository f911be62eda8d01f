// A live-paced ALSA FIFO microphone for minutes, through capture, conversion and the worker: no drift, no drops.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PIPELINE_SAMPLE_RATE } from '../../src/shared/audio';
import { NaudiodonInput } from '../../src/main/audio/naudiodon-input';
import { FrameSender } from '../../src/main/inference/frame-sender';
import { VirtualAudio, toneSource } from '../support/alsa';
import { coreServices } from '../support/core-services';
import { memoryLog } from '../support/memory-log';
import { startWorker } from '../support/worker-process';

/** Several minutes by default (the bar); EARSHOT_SOAK_SECONDS shortens it for local runs. */
const SOAK_SECONDS = Number(process.env.EARSHOT_SOAK_SECONDS ?? 180);

const audio = new VirtualAudio();
process.env.HOME = audio.home; // PortAudio reads ALSA's configuration from $HOME on first use
const FORMAT = { rate: 48000, channels: 2 };
const mic = audio.addFifoMic('livemic', FORMAT).open();
audio.write();
afterAll(() => audio.dispose());

describe('live capture soak', () => {
  it(
    `runs ${SOAK_SECONDS} s at real-time pace without drift, overruns or dropped frames`,
    async () => {
      const core = coreServices(join(audio.home, 'config'), new NaudiodonInput(memoryLog().log));
      const worker = startWorker();
      await worker.ready();
      const sender = new FrameSender(worker.channel);
      let firstFrameAt: number | null = null;
      core.audio.onFrame((samples, seq, captureTime) => {
        firstFrameAt ??= performance.now();
        sender.push(samples, seq, captureTime);
      });
      const statuses: string[] = [];
      core.audio.onStatus((s) => statuses.push(`${s.state} ${s.device?.name ?? ''} ${s.message ?? ''}`));
      try {
        mic.play(toneSource(FORMAT, 440, 0.3));
        await core.audio.start('soak');
        const startedAt = performance.now();
        const writtenAtStart = mic.written;
        let maxDriftMs = 0;
        while (performance.now() - startedAt < SOAK_SECONDS * 1000) {
          await new Promise((r) => setTimeout(r, 1000));
          if (firstFrameAt === null) continue;
          const audioMs = (core.audio.framesEmitted * 1280 * 1000) / PIPELINE_SAMPLE_RATE;
          maxDriftMs = Math.max(maxDriftMs, Math.abs(audioMs - (performance.now() - firstFrameAt)));
        }
        const emittedSeconds = (core.audio.framesEmitted * 1280) / PIPELINE_SAMPLE_RATE;
        const writtenSeconds = (mic.written - writtenAtStart) / FORMAT.rate;
        await core.audio.stop('soak');

        expect(statuses).toEqual([expect.stringMatching(/^capturing livemic/), 'stopped  ']);
        // What came out matches the wall clock and what the "microphone" produced, within buffering.
        expect(maxDriftMs).toBeLessThan(400);
        expect(Math.abs(emittedSeconds - writtenSeconds)).toBeLessThan(0.5);
        expect(core.audio.buffer.overruns).toBe(0);
        expect(sender.dropped).toBe(0);
        expect(sender.acknowledged).toBeGreaterThanOrEqual(sender.sent - 8);
        expect(sender.sent).toBe(core.audio.framesEmitted);
      } finally {
        mic.pause();
        await core.audio.dispose();
        sender.dispose();
        await worker.stop();
      }
    },
    (SOAK_SECONDS + 60) * 1000,
  );
});
