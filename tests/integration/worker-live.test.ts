// Live detection and utterances on the frame stream in the real worker: recovery from kill -9 mid-stream, and from frames lost while the worker stalled.
import { afterEach, describe, expect, it } from 'vitest';
import { PRESETS } from '../../src/shared/profiles';
import { type WorkerEvent } from '../../src/shared/worker-protocol';
import { loadAudioFile } from '../../src/main/audio/audio-file';
import { preciseNow } from '../../src/main/audio/capture-base';
import { FrameSender } from '../../src/main/inference/frame-sender';
import { WorkerClient } from '../../src/main/inference/worker-client';
import { nodeWorkerLauncher } from '../../src/main/inference/worker-launcher';
import { memoryLog } from '../support/memory-log';
import { SHARED_AUDIO } from '../support/shared-audio';
import { normaliseText } from '../support/wer';
import { asrSettingsFor } from '../../src/main/session/asr-settings';
import { WorkerUtterances } from '../../src/main/session/worker-utterances';

const balanced = PRESETS[0]!;
/** No user models in these tests: only the packaged ones. */
const tempModelsDir = '/nonexistent/earshot-models';
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((fn) => fn()));
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function listeningWorker(onLatency?: (ms: number) => void) {
  const client = new WorkerClient(nodeWorkerLauncher(), memoryLog().log, { backoff: { initialMs: 200, maxMs: 2000 } });
  const sender = new FrameSender({ post: (m) => client.notify(m), onMessage: (h) => client.onEvent(h) }, { onLatency });
  client.onRestart(() => sender.forgetInFlight()); // frames in flight died with the old worker
  const events: WorkerEvent[] = [];
  client.onEvent((e) => events.push(e as WorkerEvent));
  cleanup.push(async () => {
    sender.dispose();
    await client.shutdown(500);
  });
  await client.start();
  await client.configure('listening', {
    type: 'configure-listening',
    keywords: ['alexa', 'hey_jarvis'],
    wake: balanced.wake,
    vad: balanced.vad,
    threads: { wake: 1, vad: 1 },
    gate: true,
  });
  let seq = 0;
  /** Streams a clip framed at 80 ms, by default faster than real time (flow control paces it). */
  const stream = async (samples: Float32Array, frameMs = 10): Promise<void> => {
    for (let i = 0; i + 1280 <= samples.length; i += 1280) {
      sender.push(samples.subarray(i, i + 1280), seq++, preciseNow());
      await sleep(frameMs);
    }
  };
  return { client, sender, events, stream };
}

function withSilence(clip: Float32Array, seconds: number): Float32Array {
  const pad = Math.round(seconds * 16000);
  const out = new Float32Array(pad + clip.length + pad);
  out.set(clip, pad);
  return out;
}

/**
 * Main's side of a live utterance over this worker: its copy of the audio is the clip as sent
 * (frame n is samples n·1280…), and it knows which frames the sender dropped.
 */
function mainSide(client: WorkerClient, sender: FrameSender, sent: Float32Array): WorkerUtterances {
  const asr = asrSettingsFor(balanced, tempModelsDir, { language: 'en' });
  return new WorkerUtterances(
    client,
    () => ({ asr, partialIntervalMs: 500 }),
    (fromSeq, toSeq) => sent.slice(fromSeq * 1280, (toSeq + 1) * 1280),
    (fromSeq, toSeq) => sender.droppedBetween(fromSeq, toSeq),
    memoryLog().log,
  );
}

const wakes = (events: WorkerEvent[]) =>
  events.filter((e) => e.type === 'wake').map((e) => (e as { keyword: string }).keyword);

describe('live detection in the worker', () => {
  it('detects the wake word and speech on the frame stream, and streams throttled scores', async () => {
    const { events, stream } = await listeningWorker();
    await stream(withSilence(await loadAudioFile(SHARED_AUDIO.alexa), 1));
    await expect.poll(() => wakes(events), { timeout: 5000 }).toEqual(['alexa']);
    expect(events.some((e) => e.type === 'vad' && e.event === 'speech-start')).toBe(true);
    const scores = events.filter((e) => e.type === 'wake-scores');
    expect(scores.length).toBeGreaterThan(0);
    expect(Object.keys((scores[0] as { scores: object }).scores).sort()).toEqual(['alexa', 'hey_jarvis']);
  });

  it("applies the profile's per-keyword thresholds", async () => {
    const { client } = await listeningWorker();
    const samples = await loadAudioFile(SHARED_AUDIO.alexa);
    const scan = async (keywordThresholds: Record<string, number>) =>
      (
        (await client.request({
          type: 'wake-scan',
          samples,
          keywords: ['alexa'],
          wake: { ...balanced.wake, keywordThresholds },
          threads: 1,
        })) as { detections: unknown[] }
      ).detections.length;
    expect(await scan({})).toBe(1);
    expect(await scan({ alexa: 1 })).toBe(0); // a score can never exceed 1
    expect(await scan({ hey_jarvis: 1 })).toBe(1);
  });

  it('after kill -9 mid-stream: pending requests fail as WorkerCrashed, the worker restarts, and detection goes on', async () => {
    const { client, events, stream } = await listeningWorker();
    const jfk = await loadAudioFile(SHARED_AUDIO.jfk);
    const streaming = stream(jfk); // speech flowing when the worker dies
    await sleep(400);
    const pending = client.request({ type: 'vad-scan', samples: jfk, vad: balanced.vad, threads: 1, gate: false });
    const restarted = new Promise<void>((resolve) => client.onRestart(() => resolve()));
    process.kill(client.pid!, 'SIGKILL');
    await expect(pending).rejects.toMatchObject({ code: 'WorkerCrashed' });
    await restarted;
    await streaming;
    events.length = 0;
    await stream(withSilence(await loadAudioFile(SHARED_AUDIO.alexa), 1));
    await expect.poll(() => wakes(events), { timeout: 8000 }).toEqual(['alexa']); // keywords replayed to the new worker
  }, 30_000);

  it('transcribes a live utterance from its pre-roll to its last frame, with partials on the way, and never loses a frame of it', async () => {
    const { client, events, stream, sender } = await listeningWorker();
    // A second of room, then jfk: the utterance starts after the first frames are in, from frame 0
    // (the worker's pre-roll), as a key press with pre-roll would.
    const clip = withSilence(await loadAudioFile(SHARED_AUDIO.jfk), 0.5);
    const lastSeq = Math.floor(clip.length / 1280) - 1;
    const head = clip.subarray(0, 1280 * 10);
    await stream(head);
    const utterances = mainSide(client, sender, clip);
    utterances.start({ id: 7, trigger: 'ptt', fromSeq: 0, latestSeq: 9 });
    // The rest at real-time pace, as a microphone delivers it (partials run meanwhile).
    await stream(clip.subarray(head.length), 80);
    const final = await utterances.finish(7, lastSeq);
    expect(normaliseText(final.text).join(' ')).toContain('ask not what your country can do for you');
    // On a busy machine the worker may lag and frames be dropped on their way to it: then, and only
    // then, the final comes from main's copy, whole.
    expect(final.recovered).toBe(sender.dropped > 0);
    const partials = events.filter((e) => e.type === 'partial' && e.requestId === 7);
    expect(partials.length).toBeGreaterThan(2);
    // Finishing an utterance that is not open is a clear error.
    await expect(client.request({ type: 'utterance-finish', utterance: 7, toSeq: lastSeq })).rejects.toMatchObject({
      code: 'InvalidPayload',
    });
  }, 60_000);

  it("makes the final from main's copy when a stalled worker lost frames of the utterance, and says so", async () => {
    const { client, stream, sender } = await listeningWorker();
    const clip = withSilence(await loadAudioFile(SHARED_AUDIO.jfk), 0.5);
    const lastSeq = Math.floor(clip.length / 1280) - 1;
    const utterances = mainSide(client, sender, clip);
    utterances.start({ id: 3, trigger: 'ptt', fromSeq: 0, latestSeq: 0 });
    const streaming = stream(clip, 80);
    // The worker freezes for 3 s mid-sentence (a machine swapping, a debugger): main's queue holds
    // 2 s, so frames of the utterance are dropped on their way.
    await sleep(3000);
    process.kill(client.pid!, 'SIGSTOP');
    await sleep(3000);
    process.kill(client.pid!, 'SIGCONT');
    await streaming;
    expect(sender.dropped).toBeGreaterThan(0);
    const final = await utterances.finish(3, lastSeq);
    expect(final.recovered).toBe(true);
    expect(normaliseText(final.text).join(' ')).toContain('ask not what your country can do for you');
  }, 60_000);

  it("still delivers the text when the worker is killed during an utterance, from main's copy of the audio", async () => {
    const { client, stream, sender } = await listeningWorker();
    const sent = withSilence(await loadAudioFile(SHARED_AUDIO.jfk), 0.5);
    const utterances = mainSide(client, sender, sent);
    utterances.start({ id: 1, trigger: 'ptt', fromSeq: 0, latestSeq: 0 });
    const streaming = stream(sent, 40);
    await sleep(3000);
    process.kill(client.pid!, 'SIGKILL'); // mid-utterance: the worker's copy of the audio is gone
    await streaming;
    const lastSeq = Math.floor(sent.length / 1280) - 1;
    const final = await utterances.finish(1, lastSeq);
    expect(final.recovered).toBe(true);
    expect(normaliseText(final.text).join(' ')).toContain('ask not what your country can do for you');
  }, 60_000);

  it("transcribes an utterance that started before the worker's 2 s of frames (a queued press) from main's copy", async () => {
    const { client, stream, sender } = await listeningWorker();
    const sent = withSilence(await loadAudioFile(SHARED_AUDIO.jfk), 0.5);
    await stream(sent);
    const lastSeq = Math.floor(sent.length / 1280) - 1;
    const utterances = mainSide(client, sender, sent);
    // Pressed at frame 0 while the previous utterance was transcribing; it starts when every frame is in.
    utterances.start({ id: 7, trigger: 'ptt', fromSeq: 0, latestSeq: lastSeq });
    const final = await utterances.finish(7, lastSeq);
    expect(final.recovered).toBe(false);
    expect(normaliseText(final.text).join(' ')).toContain('ask not what your country can do for you');
  }, 60_000);

  it("refuses to finish an utterance whose first frames had left the worker's 2 s before it started (main then uses its copy)", async () => {
    const { client, stream, sender } = await listeningWorker();
    const sent = withSilence(await loadAudioFile(SHARED_AUDIO.jfk), 0.5);
    await stream(sent);
    const lastSeq = Math.floor(sent.length / 1280) - 1;
    const asr = asrSettingsFor(balanced, tempModelsDir, { language: 'en' });
    // Straight to the worker, past main's own check: the worker must notice the gap itself.
    await client.request({ type: 'utterance-start', utterance: 9, fromSeq: 0, partialIntervalMs: 0, asr });
    await expect(client.request({ type: 'utterance-finish', utterance: 9, toSeq: lastSeq })).rejects.toMatchObject({
      code: 'WorkerOverloaded',
      message: expect.stringMatching(/first \d+ frames of utterance 9/),
    });
    // Main, told so, transcribes its own copy: the text is whole, and the final says it was recovered.
    const utterances = mainSide(client, sender, sent);
    utterances.start({ id: 10, trigger: 'ptt', fromSeq: 0, latestSeq: 0 }); // main believes the start recent
    const final = await utterances.finish(10, lastSeq);
    expect(final.recovered).toBe(true);
    expect(normaliseText(final.text).join(' ')).toContain('ask not what your country can do for you');
  }, 60_000);

  it('keeps taking frames and hearing the wake word while Whisper loads and transcribes on its own thread', async () => {
    let loading = false;
    let worstWhileLoading = 0;
    const { client, events, stream, sender } = await listeningWorker((ms) => {
      if (loading) worstWhileLoading = Math.max(worstWhileLoading, ms);
    });
    const alexa = withSilence(await loadAudioFile(SHARED_AUDIO.alexa), 1);
    const streaming = stream(alexa, 80);
    // The high-accuracy model (base): its load runs seconds of synchronous work in ONNX Runtime,
    // then a file transcription runs its encoder; before the ASR thread, frames waited behind both.
    loading = true;
    const highAccuracy = PRESETS.find((p) => p.id === 'high-accuracy')!;
    await client.request({ type: 'asr-prepare', asr: asrSettingsFor(highAccuracy, tempModelsDir) });
    const jfk = await loadAudioFile(SHARED_AUDIO.jfk);
    const transcript = (await client.request({
      type: 'transcribe',
      samples: jfk,
      ...asrSettingsFor(highAccuracy, tempModelsDir, { language: 'en' }),
    })) as { text: string };
    loading = false;
    await streaming;
    expect(normaliseText(transcript.text).join(' ')).toContain('ask not what your country can do for you');
    await expect.poll(() => wakes(events), { timeout: 8000 }).toEqual(['alexa']);
    expect(sender.dropped).toBe(0);
    // Frames reached the worker as they came, not after the load: the load alone takes well over
    // a second, busy or not, while a frame's way to the worker takes milliseconds.
    expect(worstWhileLoading).toBeGreaterThan(0);
    expect(worstWhileLoading).toBeLessThan(1000);
  }, 60_000);
});
