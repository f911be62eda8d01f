// Listening end to end in main: capture (WAV microphone) → frames → real worker → wake and VAD events; live changes.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkerEvent } from '../../src/shared/worker-protocol';
import { loadAudioFile } from '../../src/main/audio/audio-file';
import { writeWavFile } from '../../src/main/audio/wav';
import { WavFileInput } from '../../src/main/audio/wav-file-input';
import { coreServices } from '../support/core-services';
import { SHARED_AUDIO } from '../support/shared-audio';
import { useTempDirs } from '../support/temp-dir';

const tempDir = useTempDirs();
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((fn) => fn()));
});

/** A WAV "microphone" that says "alexa" after a second of silence. */
async function alexaMicrophone(dir: string): Promise<WavFileInput> {
  const alexa = await loadAudioFile(SHARED_AUDIO.alexa);
  const clip = new Float32Array(16000 + alexa.length + 16000);
  clip.set(alexa, 16000);
  const path = join(dir, 'alexa-after-silence.wav');
  await writeWavFile(path, clip, 16000);
  return WavFileInput.open([path]);
}

describe('InferenceService', () => {
  it('hears the active wake word through capture and the worker, and follows profile and keyword changes live', async () => {
    const dir = tempDir();
    const core = coreServices(dir, await alexaMicrophone(dir));
    cleanup.push(() => core.inference.dispose());
    expect(core.settings.get().wake.keywords).toEqual(['hey_jarvis']);
    core.inference.setKeywords(['alexa', 'hey_mycroft']);
    const events: WorkerEvent[] = [];
    core.inference.onEvent((e) => events.push(e));

    await core.inference.startListening();
    expect(core.audio.status.state).toBe('capturing');
    await expect
      .poll(() => events.filter((e) => e.type === 'wake').map((e) => (e as { keyword: string }).keyword), {
        timeout: 6000,
      })
      .toEqual(['alexa']);
    expect(events.some((e) => e.type === 'vad' && e.event === 'speech-start')).toBe(true);

    const pid = core.inference.worker.pid;
    core.profiles.setActive('low-resource'); // batched frames, other thresholds: applied to the same worker
    core.inference.setKeywords(['hey_jarvis']);
    await new Promise((r) => setTimeout(r, 500));
    expect(core.inference.worker.pid).toBe(pid); // reconfigured in place, not restarted
    expect(events.some((e) => e.type === 'frame-error')).toBe(false);

    expect(() => core.inference.setKeywords(['computer'])).toThrowError(/Unknown wake word computer/);
    await core.inference.stopListening();
    expect(core.audio.status.state).toBe('stopped');
  }, 30_000);
});
