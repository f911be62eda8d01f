// Downloads the Electron runtime after `npm install` / `npm ci`, without ever failing the install.
//
// npm would run electron's own download script only if it were approved in `allowScripts`,
// and then an offline machine (or one that reaches nothing but the npm registry) fails the
// whole install. Electron is therefore denied there, and this script runs the same download
// and turns a failure into one line: Earshot then runs as `earshot serve` in a browser
// (`npm start` says so) until `npm run electron:install` succeeds online.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function electronInstalled() {
  try {
    require('electron'); // throws when the binary was never downloaded
    return true;
  } catch {
    return false;
  }
}

if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
  console.log('earshot: ELECTRON_SKIP_BINARY_DOWNLOAD is set; the Electron runtime was not downloaded.');
  process.exit(0);
}
if (electronInstalled()) process.exit(0);

let installer;
try {
  installer = require.resolve('electron/install.js');
} catch {
  process.exit(0); // electron is a dev dependency: absent in production-only installs
}
const result = spawnSync(process.execPath, [installer], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10 * 60_000 });
if (result.status === 0 && electronInstalled()) {
  console.log('earshot: Electron runtime installed.');
} else {
  const reason = (result.stderr?.toString().match(/\w*Error: .*/)?.[0] ?? 'download failed').slice(0, 160);
  console.log(
    `earshot: the Electron runtime could not be downloaded (${reason}); ` +
      '`npm start` will run Earshot in your browser instead. Retry online with `npm run electron:install`.',
  );
}
