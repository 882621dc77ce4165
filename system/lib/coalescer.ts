/**
 * Gathers what a sender produces within one turn of the event loop and hands it on as one
 * batch per key (an api server's jobs, a worker's replies to one api server, a broker's
 * dispatches to one worker). The batch leaves at `setImmediate`, right after the I/O that
 * produced it, so a lone item is not held back (microseconds, not a timer's millisecond);
 * under load, everything read from the sockets in one turn shares one frame. A batch that
 * reaches `max` items leaves at once.
 */
export class Coalescer<K, T> {
  private readonly pending = new Map<K, T[]>();
  private scheduled = false;

  constructor(
    private readonly send: (key: K, items: T[]) => void,
    private readonly max: number,
  ) {}

  add(key: K, item: T): void {
    let items = this.pending.get(key);
    if (!items) this.pending.set(key, (items = []));
    items.push(item);
    if (items.length >= this.max) {
      this.pending.delete(key);
      this.send(key, items);
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Sends every batch now (also what the scheduled turn does). */
  readonly flush = (): void => {
    this.scheduled = false;
    const batches = [...this.pending];
    this.pending.clear();
    for (const [key, items] of batches) this.send(key, items);
  };

  /** Drops what has not left yet (a connection that is gone). */
  clear(): void {
    this.pending.clear();
  }
}
