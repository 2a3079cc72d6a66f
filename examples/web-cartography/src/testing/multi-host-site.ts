/**
 * A test web site served on several loopback addresses at one port, answering by Host header, so
 * that host names resolved by the test DNS server to 127.0.0.x really reach distinct addresses.
 * It logs every request (host, path, method, server address) for tests to compare with.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SiteRequest {
  host: string;
  path: string;
  method: string;
  /** Local address the request arrived on. */
  address: string;
}

export type SiteHandler = (request: http.IncomingMessage, response: http.ServerResponse, host: string) => void;

export interface MultiHostSite {
  port: number;
  requests: SiteRequest[];
  close(): Promise<void>;
}

export async function startMultiHostSite(addresses: string[], handler: SiteHandler): Promise<MultiHostSite> {
  const requests: SiteRequest[] = [];
  const servers: http.Server[] = [];
  let port = 0;
  for (const address of addresses) {
    const server = http.createServer((request, response) => {
      const host = (request.headers.host ?? '').replace(/:\d+$/, '');
      requests.push({
        host,
        path: request.url ?? '/',
        method: request.method ?? 'GET',
        address: request.socket.localAddress ?? '',
      });
      handler(request, response, host);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, address, () => resolve());
    });
    port = (server.address() as AddressInfo).port;
    servers.push(server);
  }
  return {
    port,
    requests,
    close: async () => {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.closeAllConnections();
              s.close(() => resolve());
            }),
        ),
      );
    },
  };
}
