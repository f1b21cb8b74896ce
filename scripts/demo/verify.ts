/** The demo's last word: every acknowledged write present, with its value, on every node (serializable reads per node). */
import { EtcdJsonClient } from '@raftkv/kv-server';
import { KEY_PREFIX } from './workload.js';

const PAGE = 5000;

export interface NodeContents {
  name: string;
  kvs: Map<string, string>;
}

export interface Verdict {
  acked: number;
  /** "key on node: expected …, found …" for each acknowledged write missing or different somewhere. */
  missing: string[];
  /** Keys on which the nodes disagree (present on some only, or with different values). */
  divergent: string[];
  /** Writes with unknown outcome found applied (on every node). */
  indeterminateApplied: number;
  indeterminateAbsent: number;
}

/** Compares what every node holds with the acknowledged writes (pure). */
export function checkContents(acked: Map<string, string>, indeterminate: Iterable<string>, nodes: NodeContents[]): Verdict {
  const missing: string[] = [];
  for (const [key, value] of acked)
    for (const node of nodes) {
      const found = node.kvs.get(key);
      if (found !== value) missing.push(`${key} on ${node.name}: expected ${value}, found ${found ?? '(absent)'}`);
    }
  const allKeys = new Set(nodes.flatMap((n) => [...n.kvs.keys()]));
  const divergent = [...allKeys].filter((key) => new Set(nodes.map((n) => n.kvs.get(key) ?? '\u0000absent')).size > 1).sort();
  const { applied, absent } = presence(indeterminate, nodes);
  return { acked: acked.size, missing, divergent, indeterminateApplied: applied, indeterminateAbsent: absent };
}

/** How many of `keys` every node holds, and how many none holds. */
export function presence(keys: Iterable<string>, nodes: NodeContents[]): { applied: number; absent: number } {
  let applied = 0;
  let absent = 0;
  for (const key of keys) {
    if (nodes.every((n) => n.kvs.has(key))) applied++;
    else if (nodes.every((n) => !n.kvs.has(key))) absent++;
  }
  return { applied, absent };
}

/** Every demo key a node holds, read from that node alone (serializable: its own applied state). */
export async function readNodeContents(name: string, clientUrl: string): Promise<NodeContents> {
  const client = new EtcdJsonClient({ endpoints: [clientUrl], commandTimeoutMs: 10_000 });
  const end = Buffer.from(KEY_PREFIX.slice(0, -1) + String.fromCharCode(KEY_PREFIX.charCodeAt(KEY_PREFIX.length - 1) + 1));
  const kvs = new Map<string, string>();
  try {
    let from = Buffer.from(KEY_PREFIX);
    for (;;) {
      const page = await client.range({ key: from, rangeEnd: end, limit: PAGE, serializable: true });
      for (const kv of page.kvs) kvs.set(kv.key.toString(), kv.value.toString());
      const last = page.kvs[page.kvs.length - 1];
      if (!page.more || last === undefined) break;
      from = Buffer.concat([last.key, Buffer.from([0])]);
    }
  } finally {
    client.close();
  }
  return { name, kvs };
}

/** The final line(s) the demo prints. */
export function verdictLines(v: Verdict, nodeCount: number): string[] {
  if (v.missing.length === 0 && v.divergent.length === 0) return [`demo: ${v.acked} acknowledged writes, all present on all nodes`];
  const lines = [`demo: ${v.acked} acknowledged writes; ${v.missing.length} missing or different, ${v.divergent.length} keys differ between the ${nodeCount} nodes`];
  for (const m of v.missing.slice(0, 20)) lines.push(`  missing: ${m}`);
  for (const d of v.divergent.slice(0, 20)) lines.push(`  differs between nodes: ${d}`);
  return lines;
}
