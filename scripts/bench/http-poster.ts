/** The load generator's HTTP client: node:http POSTs over one keep-alive Agent, nothing else in the way. */
import http from 'node:http';

export interface PostReply {
  status: number;
  body: string;
}

export class HttpPoster {
  private readonly agent: http.Agent;
  private readonly targets: Array<{ host: string; port: number }>;

  /** `socketsPerEndpoint`: one per concurrent client, so no request waits for a socket. */
  constructor(endpoints: string[], socketsPerEndpoint: number) {
    this.targets = endpoints.map((e) => {
      const url = new URL(e);
      return { host: url.hostname, port: Number(url.port) };
    });
    this.agent = new http.Agent({ keepAlive: true, maxSockets: socketsPerEndpoint, maxFreeSockets: socketsPerEndpoint });
  }

  get endpointCount(): number {
    return this.targets.length;
  }

  post(endpoint: number, path: string, body: string, timeoutMs: number): Promise<PostReply> {
    const target = this.targets[endpoint]!;
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent: this.agent,
          host: target.host,
          port: target.port,
          method: 'POST',
          path,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.setEncoding('utf8');
          let text = '';
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          res.on('error', reject);
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
