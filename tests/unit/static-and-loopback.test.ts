// Serving rules shared by both hosts: static paths stay inside the build; loopback and token checks; the Electron session's local-only request rule.
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../src/main/host/content-security-policy';
import { isLocalRequest } from '../../src/main/host/local-requests';
import { isLoopbackAddress, tokenMatches } from '../../src/main/host/serve/loopback';
import { resolveStaticPath } from '../../src/main/host/static-files';

const ROOT = resolve('/srv/earshot/renderer');

describe('resolveStaticPath', () => {
  it('maps paths inside the build', () => {
    expect(resolveStaticPath(ROOT, '/')).toBe(join(ROOT, 'index.html'));
    expect(resolveStaticPath(ROOT, '/assets/app.js?v=1')).toBe(join(ROOT, 'assets', 'app.js'));
    expect(resolveStaticPath(ROOT, '/a%20b.css')).toBe(join(ROOT, 'a b.css'));
  });

  it.each(['/../package.json', '/assets/../../secret', '/%2e%2e/secret', '/..%2fsecret', '/%00', '/%E0%A4%A'])(
    'refuses %s',
    (path) => {
      expect(resolveStaticPath(ROOT, path)).toBeNull();
    },
  );
});

describe('loopback guards', () => {
  it('recognises loopback addresses only', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(a)).toBe(true);
    for (const a of ['10.0.0.1', '192.168.1.2', '::ffff:10.0.0.1', '128.0.0.1', '', undefined, 'fe80::1']) {
      expect(isLoopbackAddress(a)).toBe(false);
    }
  });

  it('compares tokens exactly', () => {
    expect(tokenMatches('abc123', 'abc123')).toBe(true);
    expect(tokenMatches('abc123', 'abc124')).toBe(false);
    expect(tokenMatches('abc123', 'abc1234')).toBe(false);
    expect(tokenMatches('abc123', '')).toBe(false);
    expect(tokenMatches('abc123', null)).toBe(false);
  });
});

describe('contentSecurityPolicy', () => {
  it('allows nothing inline or remote by default', () => {
    const csp = contentSecurityPolicy();
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe');
  });
});

describe('isLocalRequest', () => {
  it("lets the app's own pages, inline data and this machine's servers through", () => {
    for (const url of [
      'app://earshot/index.html',
      'devtools://devtools/bundled/inspector.html',
      'data:image/png;base64,AAAA',
      'blob:app://earshot/5f1c',
      'file:///opt/earshot/resources/app.asar/out/renderer/index.html',
      'http://localhost:5173/src/main.ts',
      'ws://localhost:5173/',
      'http://127.0.0.1:4999/ipc',
      'http://[::1]:5173/',
    ]) {
      expect(isLocalRequest(url), url).toBe(true);
    }
  });

  it('cancels everything that would leave the machine, and what it cannot parse', () => {
    for (const url of [
      'https://redirector.gvt1.com/edgedl/chrome/dict/en-us-10-1.bdic',
      'https://fonts.googleapis.com/css2?family=Inter',
      'http://192.168.1.10:8080/',
      'wss://example.com/socket',
      'http://localhost.example.com/',
      'http://127.0.0.1.nip.io/',
      'ftp://127.0.0.1/',
      'not a url',
    ]) {
      expect(isLocalRequest(url), url).toBe(false);
    }
  });
});
