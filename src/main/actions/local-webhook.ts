import { lookup } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP } from 'node:net';
import { ActionFailed } from './run-tool';

/** How long a webhook may take to answer. */
const WEBHOOK_TIMEOUT_MS = 5000;

/**
 * Addresses a webhook may reach: this machine and the local network (a Home Assistant on the
 * LAN), never the internet. Nothing leaves the machine except what the user points at their own
 * network; a name is resolved first and every address it gives must be local.
 */
const LOCAL = new BlockList();
for (const [network, prefix] of [
  ['127.0.0.0', 8],
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['169.254.0.0', 16],
] as const)
  LOCAL.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const)
  LOCAL.addSubnet(network, prefix, 'ipv6');

export function isLocalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return LOCAL.check(mapped, 'ipv4');
  return LOCAL.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** POSTs `body` (JSON) to a local address; resolves with the answer's status line, or throws ActionFailed. */
export async function postLocalJson(address: string, body: string): Promise<string> {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new ActionFailed(`"${address}" is not a web address.`);
  }
  try {
    JSON.parse(body);
  } catch {
    throw new ActionFailed("The command's body is not JSON once its slots are filled in.");
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: { address: string; family: number }[];
  try {
    addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await lookup(host, { all: true });
  } catch {
    throw new ActionFailed(`${host} cannot be found on this network.`);
  }
  const outside = addresses.find((a) => !isLocalAddress(a.address));
  if (outside || addresses.length === 0)
    throw new ActionFailed(
      `${host} is not on this machine or the local network (${outside?.address ?? 'no address'}): Earshot sends nothing to the internet.`,
    );
  const chosen = addresses[0]!;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        timeout: WEBHOOK_TIMEOUT_MS,
        // Connect to the address that was checked, not to whatever a second lookup might give.
        lookup: (_name, options, callback) =>
          (options as { all?: boolean }).all
            ? (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [chosen])
            : callback(null, chosen.address, chosen.family),
      },
      (response) => {
        response.resume();
        const status = `${response.statusCode ?? 0} ${response.statusMessage ?? ''}`.trim();
        if ((response.statusCode ?? 0) >= 200 && (response.statusCode ?? 0) < 300) resolve(status);
        else reject(new ActionFailed(`${url.origin}${url.pathname} answered ${status}.`));
      },
    );
    req.on('timeout', () =>
      req.destroy(new ActionFailed(`${url.origin} did not answer within ${WEBHOOK_TIMEOUT_MS / 1000} s.`)),
    );
    req.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        error instanceof ActionFailed
          ? error
          : new ActionFailed(
              error.code === 'ECONNREFUSED'
                ? `Nothing answers at ${url.origin} (connection refused).`
                : `${url.origin} could not be reached (${error.message}).`,
            ),
      ),
    );
    req.end(body);
  });
}
