import { linkKey, validateFaultPlan, type FaultPlan, type LinkFaults } from './faults.js';
import { seededRandom } from './random.js';
import type { Message } from './transport.js';

export type DropReason = 'partition' | 'fault';

interface Delayed {
  dueAt: number;
  msg: Message;
}

/** Messages held back on one directed link; they leave in order unless the link reorders. */
class DelayedLink {
  readonly queue: Delayed[] = [];
  lastDueAt = 0;
  timer: NodeJS.Timeout | null = null;
}

/** Applies a FaultPlan to outbound messages: partitions, drops, duplicates, delays. */
export class FaultInjector {
  private plan!: FaultPlan;
  private random!: () => number;
  private cuts = new Set<string>();
  private readonly links = new Map<string, DelayedLink>();
  /** Timers of messages on links that may reorder: each message waits alone. */
  private readonly looseTimers = new Map<NodeJS.Timeout, Message>();

  constructor(
    plan: FaultPlan,
    private readonly deliver: (msg: Message) => void,
    private readonly drop: (msg: Message, reason: DropReason) => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.setPlan(plan);
  }

  /** Swaps the plan; messages already held keep their schedule and their order. */
  setPlan(plan: FaultPlan): void {
    validateFaultPlan(plan);
    this.plan = plan;
    this.random = seededRandom(plan.seed);
    this.cuts = new Set();
    for (const [a, b] of plan.partitions ?? []) {
      this.cuts.add(linkKey(a, b));
      this.cuts.add(linkKey(b, a));
    }
  }

  isCut(from: string, to: string): boolean {
    return this.cuts.size > 0 && this.cuts.has(linkKey(from, to));
  }

  route(msg: Message): void {
    if (this.isCut(msg.from, msg.to)) {
      this.drop(msg, 'partition');
      return;
    }
    const key = linkKey(msg.from, msg.to);
    const faults: LinkFaults = this.plan.links?.[key] ?? this.plan.default ?? {};
    if (faults.dropRate !== undefined && this.random() < faults.dropRate) {
      this.drop(msg, 'fault');
      return;
    }
    const copies = faults.duplicateRate !== undefined && this.random() < faults.duplicateRate ? 2 : 1;
    for (let i = 0; i < copies; i++) this.hold(key, msg, faults);
  }

  /** Removes every fault: held messages go out right away, each link in order. */
  lift(): void {
    this.cuts = new Set();
    for (const [timer, msg] of this.looseTimers) {
      clearTimeout(timer);
      this.deliver(msg);
    }
    this.looseTimers.clear();
    for (const link of this.links.values()) {
      if (link.timer !== null) clearTimeout(link.timer);
      link.timer = null;
      const held = link.queue.splice(0);
      for (const item of held) this.deliverUnlessCut(item.msg);
    }
    this.links.clear();
  }

  /** Discards everything held and stops every timer. */
  close(): void {
    for (const timer of this.looseTimers.keys()) clearTimeout(timer);
    this.looseTimers.clear();
    for (const link of this.links.values()) if (link.timer !== null) clearTimeout(link.timer);
    this.links.clear();
  }

  private hold(key: string, msg: Message, faults: LinkFaults): void {
    const delay = (faults.delayMs ?? 0) + (faults.jitterMs ? this.random() * faults.jitterMs : 0);
    if (faults.reorder) {
      if (delay <= 0) return this.deliver(msg);
      const timer = setTimeout(() => {
        this.looseTimers.delete(timer);
        this.deliverUnlessCut(msg);
      }, delay);
      this.looseTimers.set(timer, msg);
      return;
    }
    const link = this.links.get(key);
    if (delay <= 0 && link === undefined) return this.deliver(msg);
    const ordered = link ?? this.newLink(key);
    const dueAt = Math.max(this.now() + delay, ordered.lastDueAt);
    ordered.lastDueAt = dueAt;
    ordered.queue.push({ dueAt, msg });
    if (ordered.timer === null) this.arm(key, ordered);
  }

  private newLink(key: string): DelayedLink {
    const link = new DelayedLink();
    this.links.set(key, link);
    return link;
  }

  private arm(key: string, link: DelayedLink): void {
    const head = link.queue[0]!;
    link.timer = setTimeout(() => this.release(key, link), Math.max(0, head.dueAt - this.now()));
  }

  private release(key: string, link: DelayedLink): void {
    link.timer = null;
    // Timers may fire a fraction of a millisecond before the high-resolution due time.
    const now = this.now() + 1;
    let released = 0;
    while (released < link.queue.length && link.queue[released]!.dueAt <= now) released++;
    const due = link.queue.splice(0, released);
    if (link.queue.length > 0) this.arm(key, link);
    else this.links.delete(key);
    for (const item of due) this.deliverUnlessCut(item.msg);
  }

  /** A message in flight when its link is cut is lost, as on a real network. */
  private deliverUnlessCut(msg: Message): void {
    if (this.isCut(msg.from, msg.to)) this.drop(msg, 'partition');
    else this.deliver(msg);
  }
}

/**
 * The injector to use once `plan` is set: null when the plan is removed
 * (held messages then go out at once), otherwise the current one updated or a new one.
 */
export function withFaultPlan(
  current: FaultInjector | null,
  plan: FaultPlan | null,
  deliver: (msg: Message) => void,
  drop: (msg: Message, reason: DropReason) => void,
): FaultInjector | null {
  if (plan === null) {
    current?.lift();
    return null;
  }
  if (current === null) return new FaultInjector(plan, deliver, drop);
  current.setPlan(plan);
  return current;
}
