import fs from 'node:fs';
import net from 'node:net';

/**
 * Ports below the kernel's ephemeral range (Linux: ip_local_port_range), or an empty range when it cannot be read.
 * A port in the ephemeral range may be given to an outgoing connection (peers redial many times a second) as its
 * local port between the moment it was chosen and the moment its node listens, or while a node is down.
 */
export function nonEphemeralPortRange(): [number, number] {
  try {
    const [first] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return first !== undefined && first > 12_000 ? [10_000, first] : [0, 0];
  } catch {
    return [0, 0];
  }
}

/**
 * `count` distinct ports free on 127.0.0.1, for nodes whose addresses must be known before any of them listens.
 * All are held open until every one is chosen, so none is handed out twice; they come from below the ephemeral
 * range when there is one (see nonEphemeralPortRange). Another process could still take one before it is bound.
 */
export async function freeLoopbackPorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const [low, high] = nonEphemeralPortRange();
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

/**
 * The first of `count` consecutive ports free on 127.0.0.1 (for a launcher that numbers nodes from a base port),
 * below the ephemeral range when there is one, else from where the OS hands out a port.
 */
export async function freeConsecutiveLoopbackPorts(count: number): Promise<number> {
  const [low, high] = nonEphemeralPortRange();
  for (let attempt = 0; attempt < 100; attempt++) {
    let base: number;
    if (high - low > count) base = low + Math.floor(Math.random() * (high - low - count));
    else {
      const server = (await listenOn(0))!;
      base = (server.address() as net.AddressInfo).port;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    if (base + count > 65535) continue;
    const held: net.Server[] = [];
    for (let port = base; port < base + count; port++) {
      const server = await listenOn(port);
      if (!server) break;
      held.push(server);
    }
    await Promise.all(held.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    if (held.length === count) return base;
  }
  throw new Error(`no ${count} consecutive free ports found on 127.0.0.1`);
}

/** A server listening on the port, or undefined when it is taken (0: any port). */
function listenOn(port: number): Promise<net.Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => (port !== 0 && (err.code === 'EADDRINUSE' || err.code === 'EACCES') ? resolve(undefined) : reject(err)));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
