/**
 * The app's one HTTP port: /metrics for Prometheus (text format, or OpenMetrics when the scraper
 * asks for it), /healthz for liveness, /readyz for readiness, /results for the last structured
 * results. Plain node:http: nothing here justifies a framework in every measurement image.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { wantsOpenMetrics, type AppMetrics } from './metrics.js';

export const DEFAULT_METRICS_PORT = 9464;
export const PORT_ENV = 'NMAAS_METRICS_PORT';

export interface ServerState {
  metrics: AppMetrics;
  /** Body of /results. */
  results(): unknown;
  live(): { ok: boolean; reason?: string };
  ready(): { ok: boolean; reason?: string };
}

export interface MetricsServer {
  server: http.Server;
  port: number;
  close(): Promise<void>;
}

function send(
  res: http.ServerResponse,
  status: number,
  contentType: string,
  body: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(body);
}

const json = (res: http.ServerResponse, status: number, value: unknown) =>
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(value)}\n`);

export async function startServer(state: ServerState, port: number, host?: string): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain; charset=utf-8', 'only GET and HEAD are served\n', { Allow: 'GET, HEAD' });
      return;
    }
    switch (path) {
      case '/metrics':
        state.metrics.render(wantsOpenMetrics(req.headers.accept)).then(
          ({ contentType, body }) => send(res, 200, contentType, body),
          (error: unknown) =>
            send(res, 500, 'text/plain; charset=utf-8', `cannot render metrics: ${(error as Error).message}\n`),
        );
        return;
      case '/healthz': {
        const live = state.live();
        json(res, live.ok ? 200 : 500, live.ok ? { status: 'ok' } : { status: 'failing', reason: live.reason });
        return;
      }
      case '/readyz': {
        const ready = state.ready();
        json(res, ready.ok ? 200 : 503, ready.ok ? { status: 'ready' } : { status: 'not ready', reason: ready.reason });
        return;
      }
      case '/results':
        json(res, 200, state.results());
        return;
      default:
        send(res, 404, 'text/plain; charset=utf-8', 'not found; try /metrics, /healthz, /readyz or /results\n');
    }
  });
  // Scrapes are short; keep-alive sockets must not hold shutdown up.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
