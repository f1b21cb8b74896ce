import { mkdir, open, readFile, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { CorruptStorageError } from './storage.js';

/** Where a snapshot's data lives and how to check it: kept in the store's snapshot reference record. */
export interface SnapshotFileRef {
  file: string;
  length: number;
  crc: number;
}

/** Bytes checksummed between two yields to the event loop. */
const CRC_SLICE = 1 << 20;
const SUFFIX = '.snap';
/** Bytes written and flushed at a time when storing a snapshot file. */
const WRITE_CHUNK_BYTES = 4 * 1024 * 1024;

/** crc32 of `data`, a megabyte at a time, so a large snapshot does not hold up the event loop. */
export async function sliceCrc32(data: Uint8Array): Promise<number> {
  let crc = 0;
  for (let at = 0; at < data.byteLength; at += CRC_SLICE) {
    crc = crc32(data.subarray(at, at + CRC_SLICE), crc);
    if (at + CRC_SLICE < data.byteLength) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return crc;
}

/**
 * The data of a snapshot installed from a leader (compact() keeps none), in files of their own next to the log,
 * as etcd keeps .snap files beside its WAL: a large value in LevelDB would be copied and checksummed on the
 * event loop and hold up the log's synced writes.
 * A file is complete and synced before any record names it (written aside, then renamed).
 */
export class SnapshotFiles {
  /** Files being written, or read, or written and not yet named by a record: cleanup leaves them alone. */
  private readonly pinned = new Map<string, number>();

  private constructor(readonly dir: string) {}

  static async open(dir: string): Promise<SnapshotFiles> {
    await mkdir(dir, { recursive: true });
    return new SnapshotFiles(dir);
  }

  /** Writes the file and leaves it pinned: the caller calls unpin() once a record names it (or it is given up). */
  async write(index: number, term: number, data: Uint8Array): Promise<SnapshotFileRef> {
    const file = `${index.toString().padStart(16, '0')}-${term}${SUFFIX}`;
    this.pin(file);
    try {
      const crc = await sliceCrc32(data);
      const aside = join(this.dir, `${file}.tmp`);
      const handle = await open(aside, 'w');
      try {
        // A chunk at a time, each flushed: the log's own fsyncs (same disk, and on ext4 the same journal) then
        // wait behind at most one chunk of dirty pages rather than the whole snapshot.
        for (let at = 0; at < data.byteLength; at += WRITE_CHUNK_BYTES) {
          const chunk = data.subarray(at, Math.min(data.byteLength, at + WRITE_CHUNK_BYTES));
          for (let done = 0; done < chunk.byteLength; ) done += (await handle.write(chunk, done)).bytesWritten;
          await handle.datasync();
        }
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(aside, join(this.dir, file));
      await this.syncDir();
      return { file, length: data.byteLength, crc };
    } catch (err) {
      this.unpin(file);
      throw err;
    }
  }

  unpin(file: string): void {
    const n = (this.pinned.get(file) ?? 0) - 1;
    if (n > 0) this.pinned.set(file, n);
    else this.pinned.delete(file);
  }

  private pin(file: string): void {
    this.pinned.set(file, (this.pinned.get(file) ?? 0) + 1);
  }

  async read(ref: SnapshotFileRef): Promise<Uint8Array> {
    let data: Buffer;
    this.pin(ref.file);
    try {
      data = await readFile(join(this.dir, ref.file));
    } catch (err) {
      throw new CorruptStorageError(`snapshot file ${ref.file} cannot be read: ${(err as Error).message}`);
    } finally {
      this.unpin(ref.file);
    }
    if (data.byteLength !== ref.length) {
      throw new CorruptStorageError(`snapshot file ${ref.file} holds ${data.byteLength} bytes, expected ${ref.length}`);
    }
    if ((await sliceCrc32(data)) !== ref.crc) throw new CorruptStorageError(`snapshot file ${ref.file} fails its checksum`);
    return data;
  }

  /** Removes every snapshot file (and leftover partial write) but the one `current()` names and pinned ones. */
  async removeUnused(current: () => string | null): Promise<void> {
    for (const name of await readdir(this.dir)) {
      const base = name.endsWith('.tmp') ? name.slice(0, -'.tmp'.length) : name;
      if (!base.endsWith(SUFFIX) || name === current() || this.pinned.has(base)) continue;
      await unlink(join(this.dir, name)).catch(() => undefined);
    }
  }

  /** Makes the rename itself durable. */
  private async syncDir(): Promise<void> {
    const handle = await open(this.dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}
