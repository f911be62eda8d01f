// Serving rules shared by both hosts: static paths stay inside the build; loopback and token checks.
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../src/main/host/content-security-policy';
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
