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
