// The privacy test's two judges: which strace lines are outbound attempts, and which files in HOME are not Earshot's.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { entriesUnder, strayEntries } from '../support/home-audit';
import { outboundAttempts } from '../support/outbound-trace';
import { useTempDirs } from '../support/temp-dir';

const tempDir = useTempDirs();

// Lines as strace 6.1 writes them (`-f -e trace=connect,sendto,sendmsg`), taken from real runs.
const LINES = {
  telemetryDns:
    '3471  connect(23, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.255.255.53")}, 16) = 0',
  unfinishedDns:
    '4264  connect(26, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.255.255.53")}, 16 <unfinished ...>',
  loopbackResolver:
    '4260  connect(26, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.53")}, 16) = 0',
  udpDnsByMessage:
    '6278  sendmsg(18, {msg_name={sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("192.0.2.1")}, msg_namelen=16, msg_iov=[{iov_base="x", iov_len=1}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = 1',
  remoteV6:
    '6278  connect(20, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:db8::1", &sin6_addr), sin6_scope_id=0}, 28) = -1 EINPROGRESS (Operation now in progress)',
  remoteV4:
    '7001  connect(21, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("93.184.215.14")}, 16) = -1 EINPROGRESS (Operation now in progress)',
  nscd: '4260  connect(26, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT (No such file or directory)',
  loopbackV4:
    '7002  connect(22, {sa_family=AF_INET, sin_port=htons(41234), sin_addr=inet_addr("127.0.0.1")}, 16) = -1 EINPROGRESS (Operation now in progress)',
  loopbackV6:
    '6278  sendmsg(18, {msg_name={sa_family=AF_INET6, sin6_port=htons(9), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, msg_namelen=28, msg_iov=[{iov_base="x", iov_len=1}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = 1',
  mappedLoopback:
    '6278  connect(19, {sa_family=AF_INET6, sin6_port=htons(9), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::ffff:127.0.0.1", &sin6_addr), sin6_scope_id=0}, 28) = -1 EINPROGRESS (Operation now in progress)',
  xServer: '7003  connect(3, {sa_family=AF_UNIX, sun_path=@"/tmp/.X11-unix/X99"}, 20) = 0',
  ipc: '7004  sendmsg(17, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="\\0\\0\\0\\7", iov_len=4}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = 4',
};

describe('outboundAttempts', () => {
  it('flags DNS queries (to any resolver, loopback included, by connect or by message), other hosts, and name-service lookups', () => {
    const flagged = (line: string) => outboundAttempts(line).map((a) => `${a.why} ${a.address}`);
    expect(flagged(LINES.telemetryDns)).toEqual(['dns query 10.255.255.53:53']);
    expect(flagged(LINES.unfinishedDns)).toEqual(['dns query 10.255.255.53:53']);
    expect(flagged(LINES.loopbackResolver)).toEqual(['dns query 127.0.0.53:53']);
    expect(flagged(LINES.udpDnsByMessage)).toEqual(['dns query 192.0.2.1:53']);
    expect(flagged(LINES.remoteV6)).toEqual(['non-loopback address 2001:db8::1:443']);
    expect(flagged(LINES.remoteV4)).toEqual(['non-loopback address 93.184.215.14:443']);
    expect(flagged(LINES.nscd)).toEqual(['name-service lookup /var/run/nscd/socket']);
  });

  it('lets loopback connections, X11 and IPC sockets through', () => {
    const trace = [LINES.loopbackV4, LINES.loopbackV6, LINES.mappedLoopback, LINES.xServer, LINES.ipc].join('\n');
    expect(outboundAttempts(trace)).toEqual([]);
  });
});

describe('strayEntries', () => {
  it("reports what appeared outside Earshot's config, data and cache folders, and nothing that was there before", () => {
    const home = tempDir();
    writeFileSync(join(home, '.asoundrc'), '');
    const before = entriesUnder(home);
    for (const dir of ['.config/earshot', '.local/share/earshot/models', '.cache/Microsoft/DeveloperTools']) {
      mkdirSync(join(home, dir), { recursive: true });
    }
    writeFileSync(join(home, '.config/earshot/settings.json'), '{}');
    writeFileSync(join(home, '.local/share/earshot/history.sqlite'), '');
    writeFileSync(join(home, '.cache/Microsoft/DeveloperTools/deviceid'), '');
    writeFileSync(join(home, '.cache/xsel.log'), '');
    writeFileSync(join(home, '.c'), ''); // a file whose name begins an Earshot folder's path is still stray
    expect(strayEntries(home, before).sort()).toEqual([
      '.c',
      '.cache/Microsoft/',
      '.cache/Microsoft/DeveloperTools/',
      '.cache/Microsoft/DeveloperTools/deviceid',
      '.cache/xsel.log',
    ]);
  });
});
