import fs from 'node:fs';
import net from 'node:net';
import { expect } from 'chai';
import { freeConsecutiveLoopbackPorts, freeLoopbackPorts, nonEphemeralPortRange } from '../src/index.js';

/** The first port of the kernel's ephemeral range, or 0 when it cannot be read. */
function ephemeralStart(): number {
  if (!fs.existsSync('/proc/sys/net/ipv4/ip_local_port_range')) return 0;
  return Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
}

/** Listens on every port at once (fails if one is taken), then closes them all. */
async function listenOnAll(ports: number[]): Promise<void> {
  const servers = await Promise.all(
    ports.map(
      (port) =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once('error', reject);
          server.listen(port, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
}

describe('free loopback ports', () => {
  it('gives distinct ports that can be listened on, below the ephemeral range when there is one', async () => {
    const ports = await freeLoopbackPorts(6);
    expect(new Set(ports).size).to.equal(6);
    const start = ephemeralStart();
    if (start > 12_000) {
      expect(nonEphemeralPortRange()).to.deep.equal([10_000, start]);
      for (const port of ports) expect(port).to.be.within(10_000, start - 1);
    }
    await listenOnAll(ports);
  });

  it('gives a base port whose next ports are free too, below the ephemeral range when there is one', async () => {
    const base = await freeConsecutiveLoopbackPorts(6);
    const ports = Array.from({ length: 6 }, (_, i) => base + i);
    const start = ephemeralStart();
    if (start > 12_000) expect(base + 5).to.be.within(10_000, start - 1);
    await listenOnAll(ports);
  });
});
