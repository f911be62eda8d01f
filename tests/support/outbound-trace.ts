import { spawnSync } from 'node:child_process';
import { isLoopbackAddress } from '../../src/main/host/serve/loopback';

/**
 * strace's arguments to log every connect/sendto/sendmsg of a process tree into `log`: these are
 * the calls through which any connection starts, TCP or UDP, DNS included. `--seccomp-bpf` stops
 * the tracee only on those calls, so the traced program runs at nearly full speed.
 */
export function straceWrapper(log: string): string[] {
  return ['strace', '-f', '-qq', '--seccomp-bpf', '-e', 'trace=connect,sendto,sendmsg', '-o', log, '--'];
}

/** Throws a sentence that says how to install strace when it is missing (`.ci/run` installs it). */
export function requireStrace(): void {
  const probe = spawnSync('strace', ['-V'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error('strace is not installed; the privacy test needs it. Install it with: sudo apt-get install strace');
  }
}

/** One call in the trace that would reach beyond this machine, or ask a resolver to. */
export interface OutboundAttempt {
  why: 'dns query' | 'non-loopback address' | 'name-service lookup';
  address: string;
  line: string;
}

const INET = /sa_family=AF_INET, sin_port=htons\((\d+)\), sin_addr=inet_addr\("([^"]+)"\)/g;
const INET6 = /sa_family=AF_INET6, sin6_port=htons\((\d+)\),[^}]*?inet_pton\(AF_INET6, "([^"]+)"/g;
/** glibc's resolver daemons: a lookup through them is a DNS query by proxy. */
const RESOLVER_SOCKET = /sun_path="((?:\/var)?\/run\/nscd\/socket|\/run\/systemd\/resolve\/[^"]+)"/;
const DNS_PORT = 53;

/**
 * Every attempt in an strace log (as written by `straceWrapper`) to reach an address other than
 * loopback, or to resolve a name: a query to port 53 counts even on a loopback resolver, since
 * a lookup is how a connection to the outside begins.
 */
export function outboundAttempts(trace: string): OutboundAttempt[] {
  const found: OutboundAttempt[] = [];
  for (const line of trace.split('\n')) {
    for (const [, port, address] of [...line.matchAll(INET), ...line.matchAll(INET6)]) {
      if (Number(port) === DNS_PORT) found.push({ why: 'dns query', address: `${address}:${port}`, line });
      else if (!isLoopbackAddress(address))
        found.push({ why: 'non-loopback address', address: `${address}:${port}`, line });
    }
    const resolver = RESOLVER_SOCKET.exec(line);
    if (resolver && line.includes('connect(')) found.push({ why: 'name-service lookup', address: resolver[1]!, line });
  }
  return found;
}
