// `npm start`: the desktop app when the Electron runtime is installed, otherwise the same app
// in a browser through `earshot serve` (after an offline install), said in one line.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const extraArgs = process.argv.slice(2);

function run(command, args) {
  const child = spawn(command, args, { stdio: 'inherit' });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

let electronAvailable = true;
try {
  require('electron');
} catch {
  electronAvailable = false;
}

if (electronAvailable) {
  // `preview` builds the app and then launches Electron on the build.
  const electronVite = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
  run(process.execPath, [electronVite, 'preview', ...extraArgs]);
} else {
  console.log(
    'Electron runtime is not installed (offline install); starting Earshot in your browser with `earshot serve`.',
  );
  run(process.execPath, [require.resolve('tsx/cli'), 'src/main/host/cli/main.ts', 'serve', ...extraArgs]);
}
