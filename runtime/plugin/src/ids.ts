/**
 * Message ids: the ones this end sends, and the ones it remembers so that no
 * message is handled twice.
 */

/** Ids `<prefix>-<64 random bits, hex>-<counter>`: unique per sender. */
export class IdSource {
  private readonly base: string;
  private counter = 0;

  constructor(prefix: string) {
    const bytes = new Uint8Array(8);
    crypto.getRandomValues(bytes);
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0"));
    this.base = `${prefix}-${hex.join("")}`;
  }

  next(): string {
    this.counter += 1;
    return `${this.base}-${this.counter}`;
  }
}

/**
 * The ids of commands whose deadline has not passed: a command is dropped as
 * a duplicate for as long as it could run at all, whatever came in between.
 * Bounded by `limit`: past it, new commands are refused, never forgotten.
 */
export class LiveIds {
  private readonly deadlines = new Map<string, number>();
  /** The size at which expired ids are swept next. */
  private sweepAt = 1024;

  constructor(private readonly limit: number) {}

  has(id: string): boolean {
    return this.deadlines.has(id);
  }

  /** Records `id` until `deadline`; `false` when no room is left. */
  add(id: string, deadline: number, now: number): boolean {
    const { deadlines } = this;
    if (deadlines.size >= this.sweepAt) {
      for (const [seen, until] of deadlines) {
        if (until <= now) deadlines.delete(seen);
      }
      // Amortised: the next sweep comes after as many new ids again.
      this.sweepAt = Math.max(1024, deadlines.size * 2);
    }
    if (deadlines.size >= this.limit) return false;
    deadlines.set(id, deadline);
    return true;
  }
}

/** The last `limit` ids seen: enough to drop a replay, bounded in memory. */
export class RecentIds {
  // A Set iterates in insertion order: its first id is the oldest.
  private readonly set = new Set<string>();

  constructor(private readonly limit: number) {}

  /** Records `id`; returns `false` when it was seen already. */
  add(id: string): boolean {
    const { set } = this;
    if (set.has(id)) return false;
    set.add(id);
    if (set.size > this.limit) set.delete(set.values().next().value as string);
    return true;
  }
}
