/** A counting semaphore: at most `limit` holders at once, waiters served in arrival order. */
export class Limiter {
  /** When each current holder got its slot (performance.now()). */
  private readonly holders = new Set<{ since: number }>();
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.holders.size;
  }

  /** How long each current holder has held its slot, in milliseconds. */
  heldForMs(now = performance.now()): number[] {
    return [...this.holders].map((holder) => now - holder.since);
  }

  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(signal);
    try {
      return await task();
    } finally {
      release();
    }
  }

  /**
   * Waits for a slot; resolves with the function that returns it (calling it twice is harmless).
   * Rejects with the signal's reason when the signal aborts first.
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.holders.size < this.limit) return Promise.resolve(this.hold());
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(this.hold());
      };
      const onAbort = () => {
        const index = this.waiting.indexOf(grant);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  private hold(): () => void {
    const holder = { since: performance.now() };
    this.holders.add(holder);
    return () => {
      if (!this.holders.delete(holder)) return;
      this.waiting.shift()?.();
    };
  }
}
