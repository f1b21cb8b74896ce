import fs from 'node:fs';
import net from 'node:net';
import { expect } from 'chai';
import { freePorts } from './free-ports.js';

describe('freePorts', () => {
  it('gives distinct ports that can be listened on, below the ephemeral range when there is one', async () => {
    const ports = await freePorts(6);
    expect(new Set(ports).size).to.equal(6);
    let ephemeralStart = 0;
    if (fs.existsSync('/proc/sys/net/ipv4/ip_local_port_range'))
      ephemeralStart = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (ephemeralStart > 12_000) for (const port of ports) expect(port).to.be.below(ephemeralStart);
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
  });
});
