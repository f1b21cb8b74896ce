/** A TCP endpoint parsed from 'host:port' (IPv6 hosts in brackets: '[::1]:7000'). */
export interface HostPort {
  host: string;
  port: number;
}

export function parseAddress(address: string): HostPort {
  const match = /^(?:\[([^\]]+)\]|([^:\[\]]*)):(\d{1,5})$/.exec(address);
  if (match === null) {
    throw new TypeError(`invalid address ${JSON.stringify(address)}: expected 'host:port'`);
  }
  const host = match[1] ?? match[2] ?? '';
  const port = Number(match[3]);
  if (port > 65535) throw new RangeError(`invalid address ${JSON.stringify(address)}: port out of range`);
  return { host: host === '' ? '0.0.0.0' : host, port };
}

export function formatAddress({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
