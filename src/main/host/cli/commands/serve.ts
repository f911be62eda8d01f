import { createLogger } from '../../../log';
import { systemDesktop } from '../../../actions/system-desktop';
import { configDir, settingsFilePath } from '../../../settings/config-dir';
import { JsonFileSettingsBackend } from '../../../settings/json-file-backend';
import { ensureRendererBuild, RENDERER_BUILD_DIR } from '../../serve/renderer-build';
import { startServeHost } from '../../serve/serve-host';
import { AUDIO_OPTIONS, AUDIO_OPTIONS_HELP, audioInputFrom } from '../audio-options';
import { EXIT_OK, integerOption, type CliCommand } from '../command';

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Run Earshot headless and open its interface in a browser (loopback only)',
  usage: [
    'earshot serve [--port N] [--hold-key] [--config-dir DIR] [--input-wav FILE] [--no-build] [--json]',
    '',
    '  --port N            port on 127.0.0.1 (default: a free port)',
    '  --hold-key          watch the hold key from the settings (Right Ctrl unless changed in the Live view):',
    '                      hold it in any app to talk (X11)',
    '  --no-build          do not rebuild the interface when its sources changed',
    '  --json              print {"url","port","settings"} as one line once ready',
    AUDIO_OPTIONS_HELP,
    '',
    'The printed URL carries a random per-run token; connections without it are refused.',
    'Stop with Ctrl+C.',
  ].join('\n'),
  options: {
    port: { type: 'string' },
    ...AUDIO_OPTIONS,
    'hold-key': { type: 'boolean' },
    'no-build': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  opensAudio: true,
  async run({ values, io, stopRequested }) {
    const port = integerOption(values.port, 'port', 0, 65535) ?? 0;
    if (!values['no-build']) ensureRendererBuild(io.err);
    const settingsPath = settingsFilePath(configDir(values['config-dir'] as string | undefined));
    const log = createLogger('serve');
    const host = await startServeHost({
      port,
      audioInput: await audioInputFrom(values, log),
      desktop: systemDesktop(),
      rendererDir: RENDERER_BUILD_DIR,
      settingsBackend: new JsonFileSettingsBackend(settingsPath),
      holdKey: Boolean(values['hold-key']),
      log,
    });
    for (const notice of host.services.settings.notices) io.err(`warning: ${notice.message}`);
    if (values.json) io.out(JSON.stringify({ url: host.url, port: host.port, settings: settingsPath }));
    else io.out(`Earshot is running at ${host.url}\nOpen that address in your browser; press Ctrl+C to stop.`);
    await stopRequested;
    await host.close();
    return EXIT_OK;
  },
};
