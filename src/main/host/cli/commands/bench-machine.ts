import { userModelsDir } from '../../../settings/config-dir';
import { createLogger } from '../../../log';
import { checkMachine } from '../../../profiles/machine-check';
import { NODE_RESOURCES_DIR } from '../../resources-dir';
import { EXIT_OK, UsageError, type CliCommand } from '../command';
import { withWorker } from '../inference';

export const benchMachineCommand: CliCommand = {
  name: 'bench-machine',
  summary: 'Measure this machine with each preset (about 20 s) and recommend a profile',
  usage: [
    'earshot bench-machine [--json]',
    '',
    'Runs the wake word and Whisper of each preset on a bundled 11 s recording, in the inference',
    "worker: the wake word's share of a core, Whisper's time warm and on its first pass (model",
    'loading included), and recommends the most demanding preset this machine keeps up with.',
    'Close other busy programs first: the figures are what this machine has to spare now.',
    '',
    '  --json   print {"audioSeconds","cpu":{"model","cores"},"presets":[{"id","name","wakeRtf",',
    '           "speechMs","speechRtf","firstPassMs","text"}],"recommended","reason","durationMs"}',
    '',
    'Switch to the recommended profile with the Profiles view, or: earshot listen --profile ID.',
  ].join('\n'),
  options: { json: { type: 'boolean' } },
  allowPositionals: false,
  async run({ values, io, positionals }) {
    if (positionals.length) throw new UsageError('bench-machine takes no arguments');
    const log = createLogger('bench-machine');
    const check = await withWorker(log, (worker) =>
      checkMachine({
        request: (request) => worker.request(request),
        resourcesDir: NODE_RESOURCES_DIR,
        userModelsDir: userModelsDir(),
        onPreset: values.json ? undefined : (preset, index, count) => io.err(`[${index + 1}/${count}] ${preset.name}…`),
      }),
    );
    if (values.json) {
      io.out(JSON.stringify(check));
      return EXIT_OK;
    }
    io.out(`${check.cpu.model}, ${check.cpu.cores} cores; ${check.audioSeconds} s of speech per preset`);
    io.out('');
    const header = ['PRESET', 'WAKE WORD', 'WHISPER (WARM)', 'PER SECOND OF AUDIO', 'FIRST PASS'];
    const rows = check.presets.map((p) => [
      `${p.name}${p.id === check.recommended ? ' *' : ''}`,
      `${(p.wakeRtf * 100).toFixed(1)} % of a core`,
      `${p.speechMs.toFixed(0)} ms`,
      `${(p.speechRtf * 1000).toFixed(0)} ms`,
      `${p.firstPassMs.toFixed(0)} ms`,
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
    for (const row of [header, ...rows])
      io.out(
        row
          .map((cell, i) => cell.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd(),
      );
    io.out('');
    io.out(
      `Recommended: ${check.presets.find((p) => p.id === check.recommended)?.name ?? check.recommended} (*). ${check.reason}`,
    );
    return EXIT_OK;
  },
};
