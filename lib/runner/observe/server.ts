/** `/healthz`, `/readyz` and `/metrics` for the sync controller. */
import * as http from 'node:http';

export interface HealthSource {
  readiness(): { ready: boolean; reasons: string[] };
  renderMetrics(): string;
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
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(source.renderMetrics());
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
