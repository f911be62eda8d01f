import type { DeviceReport } from '../../../../shared/audio';
import { createLogger } from '../../../log';
import { AUDIO_OPTIONS, AUDIO_OPTIONS_HELP, audioServicesFrom } from '../audio-options';
import { EXIT_FAILURE, EXIT_OK, type CliCommand } from '../command';

export const devicesCommand: CliCommand = {
  name: 'devices',
  summary: 'List audio input devices, ranked by latency, and the one Earshot would use',
  usage: [
    'earshot devices [--json] [--measure]',
    '',
    '  --measure           open each candidate briefly and rank by measured start-up, jitter and drops',
    '  --json              print {"devices":[…],"selected":{"id","name","reason"}}',
    AUDIO_OPTIONS_HELP,
  ].join('\n'),
  options: { json: { type: 'boolean' }, measure: { type: 'boolean' }, ...AUDIO_OPTIONS },
  opensAudio: true,
  async run({ values, io }) {
    const log = createLogger('devices');
    const core = await audioServicesFrom(values, log);
    const report = await core.audio.report({ measure: values.measure === true });
    if (values.json) io.out(JSON.stringify(toJson(report)));
    else printTable(report, io.out);
    if (report.selected) return EXIT_OK;
    io.err('earshot: no usable microphone found; connect one, or check that the system sound service is running');
    return EXIT_FAILURE;
  },
};

function toJson(report: DeviceReport): unknown {
  return {
    devices: report.devices.map((r) => ({ ...r.device, rank: r.rank, note: r.note, measurement: r.measurement })),
    selected: report.selected,
  };
}

function printTable(report: DeviceReport, out: (line: string) => void): void {
  if (report.devices.length === 0) out('No audio devices found.');
  for (const { device, rank, note } of report.devices) {
    const mark = report.selected?.id === device.id ? '*' : ' ';
    const latency = device.defaultLowInputLatency > 0 ? `${(device.defaultLowInputLatency * 1000).toFixed(1)} ms` : '?';
    out(
      `${mark} ${rank === null ? '  -' : String(rank).padStart(3)}  ${device.name}  [${device.hostApi}]  ` +
        `${device.maxInputChannels} ch, ${device.defaultSampleRate} Hz, latency ${latency}  — ${note}`,
    );
  }
  out(report.selected ? `Selected: ${report.selected.name} (${report.selected.reason})` : 'No usable microphone.');
}
