/** One operation of an atomic batch. */
export type LevelBatchOp<K, V> = { type: 'put'; key: K; value: V } | { type: 'del'; key: K };

/** What writeLevelBatch needs of a level database (Level from the `level` package has it). */
export interface ChainedBatchingDb<K, V> {
  batch(): {
    put(key: K, value: V): unknown;
    del(key: K): unknown;
    write(options: { sync: boolean }): Promise<void>;
    close(): Promise<void>;
  };
}

/**
 * classic-level's own array write (`_batch`, the implementation behind abstract-level's public array form): the
 * operations go to the native side as they are, with no encoding step, so only for databases whose keys and values
 * are bytes already.
 */
interface NativeArrayBatchingDb<K, V> {
  readonly status: string;
  _batch(ops: ReadonlyArray<LevelBatchOp<K, V>>, options: { sync: boolean }): Promise<void>;
}

function writesArraysNatively<K, V>(db: ChainedBatchingDb<K, V>): db is ChainedBatchingDb<K, V> & NativeArrayBatchingDb<K, V> {
  const candidate = db as Partial<NativeArrayBatchingDb<K, V>>;
  return typeof candidate._batch === 'function' && candidate.status === 'open';
}

/**
 * Writes `ops` (keys and values as bytes) as one atomic batch. Both public forms cost more than the write needs:
 * a chained batch wraps a native object with a finalizer (about two weak handles per write, each processed by the
 * next young-generation pause: ~1 ms of a follower's pause at one client here), and the array form clones each op
 * and re-checks its encodings (~35 µs per two-op write here). So an open classic-level database gets the array as it is; anything else (a
 * closed or closing one, whose chained batch throws the proper error, or another implementation) the chained form.
 */
export async function writeLevelBatch<K extends Uint8Array, V extends Uint8Array>(
  db: ChainedBatchingDb<K, V>,
  ops: ReadonlyArray<LevelBatchOp<K, V>>,
  options: { sync: boolean } = { sync: false },
): Promise<void> {
  if (ops.length === 0) return;
  if (writesArraysNatively(db)) return db._batch(ops, options);
  const batch = db.batch();
  try {
    for (const op of ops) {
      if (op.type === 'put') batch.put(op.key, op.value);
      else batch.del(op.key);
    }
  } catch (err) {
    await batch.close();
    throw err;
  }
  await batch.write(options);
}
