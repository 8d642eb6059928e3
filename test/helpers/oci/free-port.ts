/** Free TCP ports on 127.0.0.1 for servers that cannot listen on port 0 themselves. */
import { createServer } from 'node:net';

/** A port that was free a moment ago: binds port 0 on 127.0.0.1, reads the port, closes. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** The `http://127.0.0.1:PORT` base URL of a listening Node server. */
export function serverUrl(srv: { address(): unknown }): string {
  const addr = srv.address() as { port: number } | null;
  if (!addr) throw new Error('server is not listening');
  return `http://127.0.0.1:${addr.port}`;
}
