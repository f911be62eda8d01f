// Which preset the machine check recommends from the figures it measured, and the sentence that says why.
import { describe, expect, it } from 'vitest';
import type { PresetFigures } from '../../../src/shared/machine-check';
import { recommend } from '../../../src/main/profiles/machine-check';

/** Figures where each preset's Whisper takes `speechRtf` of the audio's length and the wake word `wakeRtf` of a core. */
function figures(speech: Record<string, number>, wakeRtf = 0.03): PresetFigures[] {
  const names: Record<string, string> = {
    balanced: 'Balanced',
    'low-latency': 'Low latency',
    'high-accuracy': 'High accuracy',
    'low-resource': 'Low resource',
  };
  return Object.entries(speech).map(([id, speechRtf]) => ({
    id,
    name: names[id]!,
    wakeRtf,
    speechMs: speechRtf * 11_000,
    speechRtf,
    firstPassMs: speechRtf * 11_000 + 300,
    text: 'And so my fellow Americans',
  }));
}

describe('the machine check’s recommendation', () => {
  it('picks High accuracy on a machine that runs base with five beams in a tenth of real time', () => {
    const result = recommend(
      figures({ balanced: 0.03, 'low-latency': 0.025, 'high-accuracy': 0.08, 'low-resource': 0.05 }),
    );
    expect(result.recommended).toBe('high-accuracy');
    expect(result.reason).toBe(
      'High accuracy keeps up here: a 10 s utterance takes about 0.8 s from scratch (at most 1.0 s), and the wake word uses 3.0 % of a core.',
    );
  });

  it('falls to Balanced, then Low latency, as Whisper gets slower, and says what ruled out the others', () => {
    const balanced = recommend(
      figures({ balanced: 0.12, 'low-latency': 0.1, 'high-accuracy': 0.4, 'low-resource': 0.2 }),
    );
    expect(balanced.recommended).toBe('balanced');
    expect(balanced.reason).toContain('High accuracy would take about 4.0 s for a 10 s utterance (at most 1.0 s).');

    const lowLatency = recommend(
      figures({ balanced: 0.2, 'low-latency': 0.18, 'high-accuracy': 0.9, 'low-resource': 0.3 }),
    );
    expect(lowLatency.recommended).toBe('low-latency');
  });

  it('recommends Low resource on a slow machine, and when the wake word alone takes too much of a core', () => {
    const slow = recommend(figures({ balanced: 0.5, 'low-latency': 0.4, 'high-accuracy': 2, 'low-resource': 0.6 }));
    expect(slow.recommended).toBe('low-resource');
    expect(slow.reason).toMatch(/^This machine is slow for the other presets: .* Low resource uses the least CPU\.$/);

    const busyWake = recommend(
      figures({ balanced: 0.05, 'low-latency': 0.04, 'high-accuracy': 0.08, 'low-resource': 0.06 }, 0.2),
    );
    expect(busyWake.recommended).toBe('low-resource');
    expect(busyWake.reason).toContain('would need 20.0 % of a core for the wake word (at most 10.0 %)');
  });
});
