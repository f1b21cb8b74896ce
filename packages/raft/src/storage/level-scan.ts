/** What readAhead needs of a level iterator (an iterator of `level`'s databases has it). */
export interface BatchIterator<K, V> {
  nextv(size: number): Promise<Array<[K, V]>>;
  close(): Promise<void>;
}

/**
 * Every entry of `it`, up to `size` per batch, in order: the next batch is read (on the thread pool) while the
 * caller works through this one, so a load of many entries does not wait for each read in turn. The iterator is
 * closed at the end, also when the caller stops early or throws.
 */
export async function* readAhead<K, V>(it: BatchIterator<K, V>, size: number): AsyncGenerator<Array<[K, V]>> {
  let next = it.nextv(size);
  try {
    for (;;) {
      const batch = await next;
      if (batch.length === 0) return;
      next = it.nextv(size);
      yield batch;
    }
  } finally {
    // A caller that stopped early leaves a read in flight: close() waits for it, and its failure is no news then.
    next.catch(() => undefined);
    await it.close();
  }
}
