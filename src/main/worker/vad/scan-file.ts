import { FRAME_SAMPLES } from '../../../shared/audio';
import type { EnergyGate } from './energy-gate';
import type { VadEvent, VoiceActivity } from './voice-activity';

export interface SpeechScan {
  /** Speech segments in seconds from the start of the file, in order. */
  segments: { start_s: number; end_s: number }[];
  frames: number;
  /** Silero runs the scan needed (fewer than `samples / 512` when a gate skipped silence). */
  modelRuns: number;
}

/**
 * Finds the speech in a whole recording (16 kHz mono) by streaming it through `vad` (and
 * `gate`, when given) in 80 ms frames, exactly as live audio would arrive. A segment still open at
 * the end of the file ends there. `vad` is reset before and after.
 */
export async function scanForSpeech(samples: Float32Array, vad: VoiceActivity, gate?: EnergyGate): Promise<SpeechScan> {
  vad.reset();
  gate?.reset();
  const segments: SpeechScan['segments'] = [];
  let open: number | undefined;
  let frames = 0;
  const apply = (event: VadEvent) => {
    if (event.type === 'speech-start') open = event.time_s;
    else if (open !== undefined) {
      segments.push({ start_s: open, end_s: event.time_s });
      open = undefined;
    }
  };
  for (let at = 0; at < samples.length; at += FRAME_SAMPLES) {
    const frame = samples.subarray(at, at + FRAME_SAMPLES);
    const gateOpen = gate ? gate.process(frame) : true;
    const result = await vad.process(frame, gateOpen);
    result.events.forEach(apply);
    frames++;
  }
  const modelRuns = vad.modelRuns;
  (await vad.finish()).forEach(apply);
  return { segments, frames, modelRuns };
}

/**
 * Whether a recording holds any speech: the scan stops at the first speech start, so a clip that
 * opens with speech costs a few Silero runs, and silence behind the energy gate costs none.
 * This is the guard that keeps Whisper from transcribing audio the VAD calls silent.
 */
export async function containsSpeech(samples: Float32Array, vad: VoiceActivity, gate: EnergyGate): Promise<boolean> {
  vad.reset();
  gate.reset();
  try {
    for (let at = 0; at < samples.length; at += FRAME_SAMPLES) {
      const frame = samples.subarray(at, at + FRAME_SAMPLES);
      const result = await vad.process(frame, gate.process(frame));
      if (result.events.some((e) => e.type === 'speech-start')) return true;
    }
    return false;
  } finally {
    vad.reset();
  }
}
