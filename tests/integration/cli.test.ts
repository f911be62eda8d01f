// The earshot CLI as a user runs it: help, version, exit codes and one-line errors.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-process';

describe('earshot CLI', () => {
  it('prints the command overview with --help and exits 0', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/version\s+Print the Earshot version/);
    expect(stdout).toMatch(/serve\s+Run Earshot headless/);
  });

  it('asks for a command when given none (exit 2)', async () => {
    const { code, stderr } = await runCli([]);
    expect(code).toBe(2);
    expect(stderr).toContain('Usage: earshot <command>');
  });

  it('prints machine-readable versions with --json, nothing else on stdout', async () => {
    const { code, stdout } = await runCli(['version', '--json']);
    expect(code).toBe(0);
    const info = JSON.parse(stdout) as Record<string, string>;
    expect(info).toMatchObject({ name: 'Earshot', version: expect.stringMatching(/^\d+\.\d+\.\d+/) as unknown });
    expect(info.onnxruntime).toMatch(/^1\.\d+/);
    expect(info.naudiodon).toMatch(/^2\.\d+/);
    expect(info.node).toBe(process.versions.node);
  });

  it('prints per-command help', async () => {
    const { code, stdout } = await runCli(['serve', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('earshot serve [--port N]');
  });

  it.each([
    [['bogus'], /unknown command "bogus"/],
    [['version', '--nope'], /Unknown option '--nope'/],
    [['version', 'extra'], /positional/],
    [['serve', '--port', 'abc'], /--port must be a whole number/],
    [['serve', '--port', '70000'], /--port must be a whole number/],
  ])('exits 2 on a usage error: %j', async (args, message) => {
    const { code, stdout, stderr } = await runCli(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr).toContain('--help');
  });

  it('exits 1 with a one-line reason when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { code, stderr, stdout } = await runCli(['serve', '--no-build', '--port', String(port)]);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/^earshot: .*EADDRINUSE/);
    } finally {
      blocker.close();
    }
  });
});
