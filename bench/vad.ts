import { join } from 'node:path';
import { decodeWavFile } from '../src/main/audio/wav';
import { ModelLoader } from '../src/main/worker/models/model-loader';
import { EnergyGate } from '../src/main/worker/vad/energy-gate';
import { VoiceActivity } from '../src/main/worker/vad/voice-activity';
import { FRAME_SAMPLES, PIPELINE_SAMPLE_RATE } from '../src/shared/audio';
import { describeMicros, percentile, sampleMicros } from './stats';

const JFK = join(import.meta.dirname, '..', '..', 'shared', 'audio', 'jfk.wav');
const FRAME_MS = (FRAME_SAMPLES * 1000) / PIPELINE_SAMPLE_RATE;
const SPEECH_FRAMES = 1000;
const QUIET_MINUTES = 10;
const ROOM_DBFS = -60;
/** Where jfk.wav is spoken into the quiet stream (seconds). */
const SPEECH_AT_S = [120, 420];

/**
 * Silero VAD per 80 ms frame (1 thread): on speech (jfk.wav, looped), and on a mostly silent
 * stream (10 minutes of a −60 dBFS room with jfk.wav spoken twice) without and with the energy
 * gate, measured in the same run; no gate is the baseline. Reports per-frame cost, real-time
 * factor (processing time / audio time), model runs, and the CPU a live microphone would cost:
 * CPU time of the whole process (ONNX Runtime's threads included) per second of audio, as % of
 * one core.
 */
export const vadBench = {
  name: `Voice activity (Silero VAD, 1 thread) per 80 ms frame, with and without the energy gate`,
  async run(): Promise<string[]> {
    const vad = await VoiceActivity.create({ threads: 1, loader: new ModelLoader() });
    const jfk = (await decodeWavFile(JFK)).samples;
    const lines: string[] = [];

    const speechFrames = framesOf(jfk);
    let k = 0;
    const onSpeech = await sampleMicros(SPEECH_FRAMES, () => vad.process(speechFrames[k++ % speechFrames.length]!));
    const gate = new EnergyGate();
    const gateAlone = await sampleMicros(SPEECH_FRAMES, () => gate.process(speechFrames[k++ % speechFrames.length]!));
    lines.push(
      `speech: jfk.wav looped, ${SPEECH_FRAMES} timed frames after warm-up`,
      describeMicros('VAD per frame on speech', onSpeech),
      describeMicros('energy gate alone per frame', gateAlone),
      `real-time factor on speech: p50 ${(percentile(onSpeech, 50) / (FRAME_MS * 1000)).toFixed(4)}`,
    );

    const quiet = quietStream(jfk);
    const quietFrames = framesOf(quiet);
    const plain = await listen(vad, quietFrames);
    const gated = await listen(vad, quietFrames, new EnergyGate());
    const chunks = Math.floor(quiet.length / 512);
    const audioS = quiet.length / PIPELINE_SAMPLE_RATE;
    lines.push(
      '',
      `mostly silent: ${QUIET_MINUTES} min at ${ROOM_DBFS} dBFS with jfk.wav at ${SPEECH_AT_S.join(' s and ')} s ` +
        `(${quietFrames.length} frames, ${chunks} chunks)`,
      ...describe('no gate (baseline)', plain, audioS, chunks),
      ...describe('energy gate', gated, audioS, chunks),
      `gate / no gate: RTF ${(gated.wallS / plain.wallS).toFixed(3)}×, CPU ${(gated.cpuS / plain.cpuS).toFixed(3)}×, ` +
        `model runs ${(gated.modelRuns / plain.modelRuns).toFixed(3)}×`,
    );
    await vad.dispose();
    return lines;
  },
};

interface Listening {
  micros: number[];
  wallS: number;
  cpuS: number;
  modelRuns: number;
  segments: number;
}

function describe(label: string, run: Listening, audioS: number, chunks: number): string[] {
  return [
    describeMicros(`${label} per frame`, run.micros) + `  max ${run.micros.at(-1)!.toFixed(0)} µs`,
    `${label.padEnd(34)} RTF ${(run.wallS / audioS).toFixed(5)}  CPU ${((run.cpuS / audioS) * 100).toFixed(2)} % of one core  ` +
      `model runs ${run.modelRuns} (${((run.modelRuns / chunks) * 100).toFixed(1)} % of chunks)  segments ${run.segments}`,
  ];
}

async function listen(vad: VoiceActivity, frames: Float32Array[], gate?: EnergyGate): Promise<Listening> {
  vad.reset();
  const micros: number[] = [];
  let segments = 0;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (const frame of frames) {
    const t = process.hrtime.bigint();
    const result = await vad.process(frame, gate ? gate.process(frame) : true);
    micros.push(Number(process.hrtime.bigint() - t) / 1000);
    segments += result.events.filter((e) => e.type === 'speech-start').length;
  }
  const wallS = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  return {
    micros: micros.sort((a, b) => a - b),
    wallS,
    cpuS: (used.user + used.system) / 1e6,
    modelRuns: vad.modelRuns,
    segments,
  };
}

function framesOf(samples: Float32Array): Float32Array[] {
  const frames: Float32Array[] = [];
  for (let at = 0; at + FRAME_SAMPLES <= samples.length; at += FRAME_SAMPLES)
    frames.push(samples.subarray(at, at + FRAME_SAMPLES));
  return frames;
}

/** A quiet room (white noise from a fixed LCG) with `speech` mixed in at SPEECH_AT_S. */
function quietStream(speech: Float32Array): Float32Array {
  const out = new Float32Array(QUIET_MINUTES * 60 * PIPELINE_SAMPLE_RATE);
  const scale = 10 ** (ROOM_DBFS / 20) * Math.sqrt(3);
  let state = 1;
  for (let i = 0; i < out.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = (state / 2 ** 32 - 0.5) * 2 * scale;
  }
  for (const at of SPEECH_AT_S) {
    const offset = at * PIPELINE_SAMPLE_RATE;
    for (let i = 0; i < speech.length; i++) out[offset + i] = out[offset + i]! + speech[i]!;
  }
  return out;
}
