// User command actions: a program gets each slot as one literal argument (no shell), a missing program and a refusing webhook are clear failures, and a webhook never leaves the local network.
import { existsSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fillTemplate, runAction, systemOpener } from '../../../src/main/actions/command-actions';
import { isLocalAddress } from '../../../src/main/actions/local-webhook';
import { useTempDirs } from '../../support/temp-dir';

const tempDir = useTempDirs();
const tools = { opener: systemOpener('linux'), keys: null };

const servers: ReturnType<typeof createServer>[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

/** A local HTTP server answering `status`; resolves with its port and the bodies it received. */
async function webhookServer(status: number) {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(body));
      res.writeHead(status).end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, bodies };
}

describe('command actions', () => {
  it('passes a slot with shell metacharacters to the program as one literal argument', async () => {
    const dir = tempDir();
    const out = join(dir, 'argv.json');
    const script = join(dir, 'record-args');
    writeFileSync(
      script,
      `#!/usr/bin/env node\nrequire('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.argv.slice(2)));\n`,
    );
    chmodSync(script, 0o755);
    const pwned = join(dir, 'pwned');
    const text = `$(touch ${pwned}); \`touch ${pwned}\` | rm -rf ~ && echo "it's" > ${pwned}`;
    const result = await runAction({ type: 'run', program: script, args: ['--note', 'say: {text}!'] }, { text }, tools);
    expect(result).toEqual({ ok: true, message: `Ran ${script}.` });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(['--note', `say: ${text}!`]);
    expect(existsSync(pwned)).toBe(false);
  });

  it('says clearly when a program does not exist or fails', async () => {
    expect(await runAction({ type: 'run', program: 'earshot-no-such-program', args: [] }, {}, tools)).toEqual({
      ok: false,
      message: 'There is no program "earshot-no-such-program": check its name or give its full path.',
    });
    expect(
      await runAction({ type: 'run', program: 'sh', args: ['-c', 'echo out of paper >&2; exit 3'] }, {}, tools),
    ).toEqual({
      ok: false,
      message: 'sh exited with code 3: out of paper.',
    });
  });

  it('POSTs JSON with the slots escaped to a local webhook, and says what a refusing one answered', async () => {
    const ok = await webhookServer(200);
    const action = {
      type: 'webhook' as const,
      url: `http://127.0.0.1:${ok.port}/api/webhook/lights`,
      body: '{"say": "{text}"}',
    };
    expect(await runAction(action, { text: 'dim "all" the lights\\' }, tools)).toEqual({
      ok: true,
      message: `Sent to http://127.0.0.1:${ok.port}/api/webhook/lights (200 OK).`,
    });
    expect(ok.bodies).toEqual([{ say: 'dim "all" the lights\\' }]);

    const refusing = await webhookServer(403);
    expect(await runAction({ ...action, url: `http://127.0.0.1:${refusing.port}/hook` }, { text: 'x' }, tools)).toEqual(
      {
        ok: false,
        message: `http://127.0.0.1:${refusing.port}/hook answered 403 Forbidden.`,
      },
    );
    // A port nobody listens on.
    const closed = await webhookServer(200);
    servers.pop()?.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(await runAction({ ...action, url: `http://127.0.0.1:${closed.port}/hook` }, { text: 'x' }, tools)).toEqual({
      ok: false,
      message: `Nothing answers at http://127.0.0.1:${closed.port} (connection refused).`,
    });
  });

  it('never sends a webhook outside this machine and the local network', async () => {
    expect(await runAction({ type: 'webhook', url: 'http://93.184.216.34/hook', body: '{}' }, {}, tools)).toEqual({
      ok: false,
      message:
        '93.184.216.34 is not on this machine or the local network (93.184.216.34): Earshot sends nothing to the internet.',
    });
    expect(
      await runAction({ type: 'webhook', url: 'http://127.0.0.1:9/hook', body: '{"a": {text}}' }, { text: 'x' }, tools),
    ).toEqual({
      ok: false,
      message: "The command's body is not JSON once its slots are filled in.",
    });
    expect(
      [
        '127.0.0.1',
        '10.1.2.3',
        '172.20.0.5',
        '192.168.1.20',
        '169.254.3.4',
        '::1',
        'fd00::5',
        '::ffff:192.168.0.2',
      ].every(isLocalAddress),
    ).toBe(true);
    expect(['8.8.8.8', '172.32.0.1', '2001:4860::8888', '::ffff:8.8.8.8', 'example.com'].some(isLocalAddress)).toBe(
      false,
    );
  });

  it('fills a template, encoding each slot for where it goes, and refuses a slot the phrase does not fill', () => {
    expect(fillTemplate('https://duckduckgo.com/?q={text}', { text: 'a&b c' }, encodeURIComponent)).toBe(
      'https://duckduckgo.com/?q=a%26b%20c',
    );
    expect(() => fillTemplate('{profile}', {}, (v) => v)).toThrow(
      'The command uses {profile}, which its phrase does not fill.',
    );
  });

  it("opens an address and starts an application through the platform's opener, the slot encoded, no shell", async () => {
    const dir = tempDir();
    const calls = join(dir, 'calls.jsonl');
    // Stand-ins for xdg-open and gtk-launch that record how they were called.
    for (const tool of ['xdg-open', 'gtk-launch']) {
      const path = join(dir, tool);
      writeFileSync(
        path,
        `#!/usr/bin/env node\nrequire('fs').appendFileSync(${JSON.stringify(calls)}, JSON.stringify([${JSON.stringify(tool)}, ...process.argv.slice(2)]) + '\\n');\n`,
      );
      chmodSync(path, 0o755);
    }
    const path = process.env.PATH;
    process.env.PATH = `${dir}:${path}`;
    try {
      const search = { type: 'open-url' as const, url: 'https://duckduckgo.com/?q={text}' };
      expect(await runAction(search, { text: 'flights; rm -rf ~' }, tools)).toEqual({
        ok: true,
        message: 'Opened https://duckduckgo.com/?q=flights%3B%20rm%20-rf%20~.',
      });
      expect(await runAction({ type: 'launch', app: 'org.gnome.Calculator.desktop' }, {}, tools)).toMatchObject({
        ok: true,
      });
    } finally {
      process.env.PATH = path;
    }
    expect(
      readFileSync(calls, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as string[]),
    ).toEqual([
      ['xdg-open', 'https://duckduckgo.com/?q=flights%3B%20rm%20-rf%20~'],
      ['gtk-launch', 'org.gnome.Calculator'],
    ]);
  });
});
