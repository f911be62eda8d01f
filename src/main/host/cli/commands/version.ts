import { APP_NAME, APP_VERSION, packageVersion } from '../../runtime-versions';
import { EXIT_OK, type CliCommand } from '../command';

export const versionCommand: CliCommand = {
  name: 'version',
  summary: 'Print the Earshot version and the runtimes it uses',
  usage:
    'earshot version [--json]\n\n  --json   print {"name","version","node","onnxruntime","naudiodon","platform","arch"}',
  options: { json: { type: 'boolean' } },
  run({ values, io }) {
    const info = {
      name: APP_NAME,
      version: APP_VERSION,
      node: process.versions.node,
      onnxruntime: packageVersion('onnxruntime-node'),
      naudiodon: packageVersion('naudiodon'),
      platform: process.platform,
      arch: process.arch,
    };
    if (values.json) io.out(JSON.stringify(info));
    else {
      io.out(`${info.name} ${info.version}`);
      io.out(
        `node ${info.node} · onnxruntime-node ${info.onnxruntime ?? 'missing'} · naudiodon ${info.naudiodon ?? 'missing'} · ${info.platform}-${info.arch}`,
      );
    }
    return Promise.resolve(EXIT_OK);
  },
};
