import fs from 'node:fs';
import net from 'node:net';

/** Resolves with the ports among `ports` that cannot be bound on 127.0.0.1 right now. */
export async function busyPorts(ports: number[]): Promise<number[]> {
  const busy: number[] = [];
  for (const port of ports) {
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (!free) busy.push(port);
  }
  return busy;
}

export function portOf(url: string): number {
  return Number(new URL(url).port);
}

/**
 * Ports below the kernel's ephemeral range (Linux: ip_local_port_range), or an empty range when it cannot be read.
 * A node that is down for a while must get its port back; a port in the ephemeral range may meanwhile be given to
 * an outgoing connection (its peers redial it many times a second) as its local port.
 */
export function nonEphemeralRange(): [number, number] {
  try {
    const [first] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return first !== undefined && first > 12_000 ? [10_000, first] : [0, 0];
  } catch {
    return [0, 0];
  }
}
