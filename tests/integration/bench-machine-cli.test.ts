// `earshot bench-machine --json`: every preset measured on the bundled recording with the real models, and a recommendation.
import { describe, expect, it } from 'vitest';
import { MachineCheckSchema } from '../../src/shared/machine-check';
import { PRESETS } from '../../src/shared/profiles';
import { runCli } from '../support/cli-process';
import { useTempDirs } from '../support/temp-dir';

const tempDir = useTempDirs();

describe('earshot bench-machine', () => {
  it('measures each preset and names the recommended one in JSON', async () => {
    const run = await runCli(['bench-machine', '--json'], { EARSHOT_CONFIG_DIR: tempDir() });
    expect(run.code, run.stderr).toBe(0);
    const check = MachineCheckSchema.parse(JSON.parse(run.stdout));
    expect(check.presets.map((p) => p.id)).toEqual(PRESETS.map((p) => p.id));
    expect(PRESETS.map((p) => p.id)).toContain(check.recommended);
    expect(check.audioSeconds).toBeCloseTo(11, 0);
    for (const preset of check.presets) {
      expect(preset.text, preset.id).toMatch(/ask not what your country can do for you/i);
      expect(preset.speechMs).toBeGreaterThan(0);
      expect(preset.wakeRtf).toBeGreaterThan(0);
      expect(preset.firstPassMs).toBeGreaterThan(0);
    }
    expect(check.reason.length).toBeGreaterThan(20);
    expect(check.cpu.cores).toBeGreaterThan(0);

    const usage = await runCli(['bench-machine', 'extra']);
    expect(usage.code).toBe(2);
  }, 180_000);
});
