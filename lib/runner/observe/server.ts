/** `/healthz`, `/readyz` and `/metrics` for the sync controller. */
import * as http from 'node:http';

export interface HealthSource {
  readiness(): { ready: boolean; reasons: string[] };
  /** The Prometheus text exposition (prom-client renders asynchronously). */
  renderMetrics(): string | Promise<string>;
  /**
   * `Content-Type` of the exposition.
   * @default 'text/plain; version=0.0.4; charset=utf-8'
   */
  readonly metricsContentType?: string;
}

const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

async function serveMetrics(source: HealthSource, res: http.ServerResponse): Promise<void> {
  try {
    const text = await source.renderMetrics();
    res.writeHead(200, { 'Content-Type': source.metricsContentType ?? PROMETHEUS_TEXT }).end(text);
  } catch (e) {
    res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`rendering metrics failed: ${(e as Error).message}\n`);
  }
}

export function startHealthServer(source: HealthSource, port: number, host = '0.0.0.0'): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (url === '/healthz' || url === '/livez') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok\n');
    } else if (url === '/readyz') {
      const r = source.readiness();
      res.writeHead(r.ready ? 200 : 503, { 'Content-Type': 'text/plain' }).end(r.ready ? 'ok\n' : `${r.reasons.join('\n')}\n`);
    } else if (url === '/metrics') {
      void serveMetrics(source, res);
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
