import { KvError } from '../mvcc/types.js';
import { asObject, type JsonObject } from '../http/proto-json.js';

/**
 * Reads a request body that carries a stream of JSON objects, one after another (etcd's gateway reads a
 * streaming RPC's requests so: `{"create_request":…}{"cancel_request":…}`), yielding each as it completes.
 * Errors are gRPC code 2 (Unknown), as the gateway reports a stream's bad input.
 */
export class JsonObjectReader {
  private readonly chunks: AsyncIterator<Buffer>;
  private pending = '';
  private scanned = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private ended = false;

  constructor(
    body: AsyncIterable<Buffer>,
    private readonly maxObjectBytes: number,
  ) {
    this.chunks = body[Symbol.asyncIterator]();
  }

  /** The next object, or undefined once the body ended. */
  async next(): Promise<JsonObject | undefined> {
    for (;;) {
      const text = this.takeObject();
      if (text !== undefined) return parseObject(text);
      if (this.ended) {
        const rest = this.pending.trim();
        this.pending = '';
        if (rest === '') return undefined;
        return parseObject(rest); // an unfinished object: JSON.parse reports it
      }
      const chunk = await this.chunks.next();
      if (chunk.done) this.ended = true;
      else {
        this.pending += chunk.value.toString('utf8');
        if (this.pending.length > this.maxObjectBytes) throw new KvError(8, 'grpc: received message larger than max');
      }
    }
  }

  /** Cuts the first complete top-level value out of `pending`, if there is one. */
  private takeObject(): string | undefined {
    const s = this.pending;
    for (let i = this.scanned; i < s.length; i++) {
      const c = s[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === '"') this.inString = false;
        continue;
      }
      if (c === '"') this.inString = true;
      else if (c === '{' || c === '[') this.depth++;
      else if (c === '}' || c === ']') this.depth--;
      else if (this.depth === 0 && !/\s/.test(c)) {
        // Not an object at the top level: hand over everything so the parser names the problem.
        this.pending = '';
        this.scanned = 0;
        return s.trim();
      }
      if (this.depth === 0 && (c === '}' || c === ']')) {
        this.pending = s.slice(i + 1);
        this.scanned = 0;
        return s.slice(0, i + 1);
      }
    }
    this.scanned = s.length;
    return undefined;
  }
}

function parseObject(text: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new KvError(2, (err as Error).message);
  }
  try {
    return asObject(parsed, 'map[string]json.RawMessage');
  } catch (err) {
    throw new KvError(2, (err as Error).message);
  }
}
