/**
 * Brings the probe to its steady state before it measures. A fresh process pays for loading and
 * compiling the HTTP client, the resolver and the TLS trust store on its first probe (the request
 * went out ~2 ms after the connection was up, and HTTPS probes carried ~30 ms of context building):
 * that is the tool's start-up, not the target's behaviour. One probe of a server on loopback inside
 * this process and the trust stores built ahead take it out of the measured phases.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import dns from 'node:dns';
import type { ResolverHandle } from '@nmaas/example-web-cartography/hosts';
import { probeHttp } from './probe.js';
import { warmTrustStore } from './tls-info.js';

export async function warmUp(resolver: ResolverHandle, ca: string | undefined): Promise<void> {
  warmTrustStore(ca);
  // The system resolver's code path, answered from /etc/hosts: no packet leaves the node.
  await dns.promises.lookup('localhost').catch(() => undefined);
  const server = http.createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' }).end('warm');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  try {
    const { port } = server.address() as AddressInfo;
    await probeHttp(`http://127.0.0.1:${port}/`, {
      resolver,
      family: 'auto',
      method: 'GET',
      timeoutMs: 2000,
      isExpectedStatus: () => true,
      followRedirects: false,
    });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
