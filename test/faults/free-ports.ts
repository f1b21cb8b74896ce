import net from 'node:net';
import { scriptsModule } from '../support/scripts-module.js';

type PortsModule = typeof import('../../scripts/dist/cluster/ports.js');

/**
 * `count` distinct ports free on 127.0.0.1, held open until every one is chosen so none is handed out twice.
 * They come from below the kernel's ephemeral range when possible: a node that is down for a while must get its
 * port back, and an outgoing connection (the harness opens hundreds a second) could otherwise be given it as its
 * local port meanwhile. Another process could still take one before it is bound.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const [low, high] = (await scriptsModule<PortsModule>('cluster/ports.js')).nonEphemeralRange();
    for (let attempt = 0; servers.length < count && attempt < 50 * count && high > low; attempt++) {
      const port = low + Math.floor(Math.random() * (high - low));
      const server = await listenOn(port);
      if (server) servers.push(server);
    }
    while (servers.length < count) servers.push((await listenOn(0))!);
    return servers.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

/** A server listening on the port, or undefined when it is taken (0: any port). */
function listenOn(port: number): Promise<net.Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => (port !== 0 && err.code === 'EADDRINUSE' ? resolve(undefined) : reject(err)));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
