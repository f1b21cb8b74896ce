import type { PersistedState } from '../core/api.js';
import type { Entry, HardState, Ready, Snapshot, SnapshotMeta } from '../core/messages.js';

/**
 * What survives a crash of one simulated node: only what a Ready handed over and the simulator
 * then persisted. A Ready snapshot drops only the entries it covers (the weakest storage the
 * core must cope with: it discards leftover entries itself).
 */
export class SimStorage {
  hardState: HardState = { term: 0, vote: null, commit: 0 };
  /** Where the log starts (a compaction or an installed snapshot). */
  start: SnapshotMeta | null = null;
  /** An installed leader's snapshot, kept until a compaction moves the start (the application may not have restored it). */
  snapshot: Snapshot | null = null;
  entries: Entry[] = [];

  save(rd: Ready): void {
    if (rd.snapshot) this.installSnapshot(rd.snapshot);
    if (rd.entries.length > 0) {
      const first = rd.entries[0]!.index;
      this.entries = this.entries.filter((e) => e.index < first).concat(rd.entries);
    }
    if (rd.hardState) this.hardState = { ...rd.hardState };
  }

  installSnapshot(snapshot: Snapshot): void {
    if (!this.moveStart(snapshot.meta)) return;
    this.snapshot = snapshot;
  }

  /** The application's state is durable through meta.index: only where the log starts is recorded, no data. */
  compact(meta: SnapshotMeta): void {
    if (this.moveStart(meta)) this.snapshot = null;
  }

  private moveStart(meta: SnapshotMeta): boolean {
    if (this.start && this.start.index >= meta.index) return false;
    this.start = meta;
    this.entries = this.entries.filter((e) => e.index > meta.index);
    return true;
  }

  load(applied: number): PersistedState {
    return { hardState: { ...this.hardState }, snapshot: this.start, entries: [...this.entries], applied };
  }

  /** Whether the entry (index, term) is durable here, in the log or covered by the start. */
  holds(index: number, term: number): boolean {
    if (this.start && index <= this.start.index) return true;
    const first = this.entries[0]?.index ?? 0;
    return this.entries[index - first]?.term === term;
  }
}

/** The replicated application: the command at each applied index, durable as soon as applied. */
export class SimStateMachine {
  /** commands[i] is the command at index i (index 0 unused). */
  commands: string[] = [''];

  get appliedIndex(): number {
    return this.commands.length - 1;
  }

  apply(index: number, command: string): void {
    if (index !== this.commands.length) throw new Error(`apply ${index} after ${this.appliedIndex}`);
    this.commands.push(command);
  }

  /** A crash: what it applied after `index` was not durable (see Simulation's smDurable). */
  rollBackTo(index: number): void {
    if (index < this.appliedIndex) this.commands.length = index + 1;
  }

  snapshotData(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify(this.commands));
  }

  restore(snapshot: Snapshot): void {
    const commands = JSON.parse(new TextDecoder().decode(snapshot.data)) as string[];
    if (commands.length - 1 !== snapshot.meta.index) throw new Error('snapshot data does not match its index');
    this.commands = commands;
  }
}
