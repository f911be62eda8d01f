// The worker's ASR thread handle: answers and errors by call, events passed on, and a thread that
// dies fails what was waiting on it and reports the crash once (the worker then exits and restarts).
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/shared/errors';
import type { WorkerEvent } from '../../src/shared/worker-protocol';
import { AsrThread } from '../../src/main/worker/asr/asr-thread-client';

const threads: AsrThread[] = [];
afterEach(async () => {
  await Promise.all(threads.splice(0).map((t) => t.dispose()));
});

/**
 * A thread that honours the ASR thread's message contract for a few requests: it answers the
 * utterance requests, refuses `memory-pressure` with an AppError's data, sends an event for
 * `asr-prepare` before answering with the frames and pauses it was sent, and dies on `transcribe`.
 */
const CONTRACT_THREAD = `
const { parentPort } = require('node:worker_threads');
const frames = [];
let paused = 0;
parentPort.on('message', (m) => {
  if (m.kind === 'dispose') return parentPort.postMessage({ kind: 'response', call: m.call, ok: true, value: undefined });
  if (m.kind === 'frame') return frames.push(m.seq);
  if (m.kind === 'frames-paused') return paused++;
  const { type } = m.request;
  if (type === 'utterance-cancel') parentPort.postMessage({ kind: 'response', call: m.call, ok: true, value: { cancelled: true } });
  if (type === 'utterance-start' || type === 'utterance-finish') parentPort.postMessage({ kind: 'response', call: m.call, ok: true, value: {} });
  if (type === 'memory-pressure') parentPort.postMessage({ kind: 'response', call: m.call, ok: false, error: { code: 'ModelMissing', message: 'gone' } });
  if (type === 'asr-prepare') {
    parentPort.postMessage({ kind: 'event', event: { type: 'partial', requestId: 1, stable: 'a', unstable: '', audio_s: 1 } });
    parentPort.postMessage({ kind: 'response', call: m.call, ok: true, value: { model: 'tiny', loadMs: 1, frames, paused } });
  }
  if (type === 'transcribe') throw new Error('native failure');
});`;

function thread() {
  const events: WorkerEvent[] = [];
  const crashes: AppError[] = [];
  const asr = new AsrThread(
    () => new Worker(CONTRACT_THREAD, { eval: true }),
    (e) => events.push(e),
    (e) => crashes.push(e),
  );
  threads.push(asr);
  return { asr, events, crashes };
}

describe('ASR thread handle', () => {
  it('starts the thread at the first request that needs Whisper, and answers the rest itself before', async () => {
    const { asr, events, crashes } = thread();
    // Before the thread exists nothing is loaded and no utterance is open.
    expect(await asr.request({ type: 'memory-pressure', id: 1 })).toEqual({
      encoderEntriesDropped: 0,
      modelsUnloaded: [],
      arenasReleased: [],
    });
    expect(await asr.request({ type: 'utterance-cancel', id: 2, utterance: 4 })).toEqual({ cancelled: true });
    asr.frame(new Float32Array(4), 0, true, Date.now());
    expect(asr.started).toBe(false);
    await asr.dispose(); // nothing to end
    expect(asr.started).toBe(false);

    const asrSettings = {} as never; // the contract thread does not read them
    await expect(asr.request({ type: 'asr-prepare', id: 3, asr: asrSettings })).resolves.toMatchObject({ loadMs: 1 });
    expect(asr.started).toBe(true);
    expect(events).toEqual([{ type: 'partial', requestId: 1, stable: 'a', unstable: '', audio_s: 1 }]);
    expect(crashes).toEqual([]);
  });

  it('fails as WorkerCrashed, once, when the thread cannot be started', async () => {
    const crashes: AppError[] = [];
    const asr = new AsrThread(
      () => new Worker('/nonexistent/asr-thread.js'),
      () => undefined,
      (e) => crashes.push(e),
    );
    await expect(asr.request({ type: 'transcribe', id: 1 } as never)).rejects.toMatchObject({
      code: 'WorkerCrashed',
      message: /could not start|failed/,
    });
    await expect(asr.request({ type: 'utterance-cancel', id: 2, utterance: 1 })).rejects.toMatchObject({
      code: 'WorkerCrashed',
    });
    expect(crashes).toHaveLength(1);
  });

  it('matches answers to calls, rebuilds AppErrors, and passes events on', async () => {
    const { asr, events, crashes } = thread();
    const asrSettings = {} as never; // the contract thread does not read them
    await expect(asr.request({ type: 'asr-prepare', id: 1, asr: asrSettings })).resolves.toMatchObject({
      model: 'tiny',
      loadMs: 1,
    });
    const [cancelled, refused] = await Promise.allSettled([
      asr.request({ type: 'utterance-cancel', id: 2, utterance: 4 }),
      asr.request({ type: 'memory-pressure', id: 3 }),
    ]);
    expect(cancelled).toEqual({ status: 'fulfilled', value: { cancelled: true } });
    expect(refused.status === 'rejected' && refused.reason).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ reason: { code: 'ModelMissing', message: 'gone' } });
    expect(await asr.request({ type: 'memory-pressure', id: 4 }).catch((e: AppError) => e.code)).toBe('ModelMissing');
    expect(events).toEqual([{ type: 'partial', requestId: 1, stable: 'a', unstable: '', audio_s: 1 }]);
    expect(crashes).toEqual([]);
  });

  it('passes frames on only while an utterance is open, its pre-roll first, and pauses them after', async () => {
    const { asr } = thread();
    const frame = (seq: number) => asr.frame(new Float32Array(4), seq, true, Date.now());
    for (let seq = 0; seq < 30; seq++) frame(seq); // no utterance: kept here (the last 25), not sent
    const asrSettings = {} as never; // the contract thread does not read them
    await asr.request({
      type: 'utterance-start',
      id: 1,
      utterance: 7,
      fromSeq: 20,
      partialIntervalMs: 0,
      asr: asrSettings,
    });
    frame(30);
    frame(31);
    await asr.request({ type: 'utterance-finish', id: 2, utterance: 7, toSeq: 31 });
    frame(32);
    expect(await asr.request({ type: 'asr-prepare', id: 3, asr: asrSettings })).toMatchObject({
      frames: [20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31],
      paused: 1,
    });
  });

  it('fails every waiting request as WorkerCrashed when the thread dies, and reports the crash once', async () => {
    const { asr, crashes } = thread();
    const transcribing = asr.request({ type: 'transcribe', id: 1 } as never);
    await expect(transcribing).rejects.toMatchObject({ code: 'WorkerCrashed', message: /native failure/ });
    await expect.poll(() => crashes.length).toBe(1);
    // Later requests fail at once instead of waiting for a thread that is gone.
    await expect(asr.request({ type: 'utterance-cancel', id: 2, utterance: 1 })).rejects.toMatchObject({
      code: 'WorkerCrashed',
    });
    asr.frame(new Float32Array(1280), 0, true, Date.now()); // dropped, no throw
    expect(crashes).toHaveLength(1);
  });
});
