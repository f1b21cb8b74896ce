import { storeBytes } from './binary.js';
import { KeyHistory } from './key-history.js';
import { SortedKeys } from './sorted-keys.js';
import { copyKey, decodeRecordBody, type RecordList, type RevisionRecord } from './record.js';

/**
 * How a request's range_end reads (etcd): absent or empty = the single key; [0] = every key ≥ key;
 * otherwise the half-open interval [key, rangeEnd).
 */
export type KeySpan = { single: Buffer } | { from: Buffer; to: Buffer | null };

export function keySpan(key: Buffer, rangeEnd: Buffer | undefined): KeySpan {
  if (rangeEnd === undefined || rangeEnd.length === 0) return { single: key };
  if (rangeEnd.length === 1 && rangeEnd[0] === 0) return { from: key, to: null };
  return { from: key, to: rangeEnd };
}

export function spanContains(span: KeySpan, key: Buffer): boolean {
  if ('single' in span) return span.single.equals(key);
  return Buffer.compare(key, span.from) >= 0 && (span.to === null || Buffer.compare(key, span.to) < 0);
}

/**
 * The in-memory index: one KeyHistory per key, ordered by key bytes. Keys are held as latin1 strings,
 * whose code-unit order is exactly the byte order, so plain string comparison sorts them.
 */
export class KeyIndex {
  private sorted = new SortedKeys();

  /** Builds an index from records in revision order, sorting the keys once (a snapshot). */
  static fromRecords(list: RecordList): KeyIndex {
    const byKey = new Map<string, KeyHistory>();
    for (let i = 0; i < list.records.length; i++) {
      const key = list.keys[i]!;
      const k = key.toString('latin1');
      let h = byKey.get(k);
      if (h === undefined) {
        h = new KeyHistory(key);
        byKey.set(k, h);
      }
      h.appendInBulk(list.records[i]!);
    }
    return KeyIndex.fromHistories(byKey);
  }

  /** An index over `byKey` (which it takes over, histories built by appendInBulk), sorting the keys once. */
  static fromHistories(byKey: Map<string, KeyHistory>): KeyIndex {
    for (const h of byKey.values()) h.fitToSize();
    const idx = new KeyIndex(byKey);
    // The default sort orders strings by UTF-16 code unit: byte order for latin1 names.
    idx.sorted = SortedKeys.fromSorted([...byKey.keys()].sort());
    return idx;
  }

  constructor(private readonly byKey = new Map<string, KeyHistory>()) {}

  get size(): number {
    return this.byKey.size;
  }

  get(key: Buffer): KeyHistory | undefined {
    return this.byKey.get(key.toString('latin1'));
  }

  getOrCreate(key: Buffer): KeyHistory {
    const k = key.toString('latin1');
    let h = this.byKey.get(k);
    if (h === undefined) {
      // The caller's key is often a slice of a request or of Node's pool; the index keeps it for the key's life.
      h = new KeyHistory(storeBytes.copy(key));
      this.byKey.set(k, h);
      this.sorted.insert(k);
    }
    return h;
  }

  /** Histories of the keys in `span`, in key order. */
  *histories(span: KeySpan): Generator<KeyHistory> {
    if ('single' in span) {
      const h = this.get(span.single);
      if (h !== undefined) yield h;
      return;
    }
    const from = span.from.toString('latin1');
    const to = span.to === null ? null : span.to.toString('latin1');
    for (const k of this.sorted.from(from, to)) yield this.byKey.get(k)!;
  }

  /** Compacts every key's history at `atRev`; keys left without history leave the index. */
  compact(atRev: number): RevisionRecord[] {
    const dropped: RevisionRecord[] = [];
    let emptied = false;
    for (const h of this.byKey.values()) {
      for (const rec of h.compact(atRev)) dropped.push(rec);
      if (h.isEmpty) {
        this.byKey.delete(h.key.toString('latin1'));
        emptied = true;
      }
    }
    if (emptied) this.sorted.retain((k) => this.byKey.has(k));
    return dropped;
  }

  /** Every record of every key, in key order then revision order (arrays: a generator costs more per record). */
  allRecords(): RecordList {
    const out: RecordList = { keys: [], records: [] };
    for (const k of this.sorted) {
      const h = this.byKey.get(k)!;
      for (const rec of h.records) {
        out.keys.push(h.key);
        out.records.push(rec);
      }
    }
    return out;
  }
}

/**
 * Builds a KeyIndex from stored record bodies arriving in revision order (a restart): one key Buffer per key,
 * shared by all its records, and the keys sorted once at the end.
 */
export class KeyIndexLoader {
  private readonly byKey = new Map<string, KeyHistory>();
  private history: KeyHistory | undefined;
  private readonly keyOf = (body: Buffer, start: number, end: number): Buffer => {
    const name = body.toString('latin1', start, end);
    let h = this.byKey.get(name);
    if (h === undefined) {
      // Everything loaded stays, so copies from Node's pool pack densely here.
      h = new KeyHistory(copyKey(body, start, end));
      this.byKey.set(name, h);
    }
    this.history = h;
    return h.key;
  };

  add(main: number, sub: number, body: Buffer): void {
    const { record } = decodeRecordBody(main, sub, body, this.keyOf);
    this.history!.appendInBulk(record);
  }

  finish(): KeyIndex {
    return KeyIndex.fromHistories(this.byKey);
  }
}
