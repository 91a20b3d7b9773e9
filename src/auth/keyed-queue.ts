/**
 * Runs tasks that share a key one after another, in arrival order; other keys run in parallel.
 * Sign-in uses it per account so that concurrent guesses cannot all pass one lock check.
 */
export class KeyedQueue {
  private readonly queues = new Map<string, { tail: Promise<void>; pending: number }>();

  pending(key: string): number {
    return this.queues.get(key)?.pending ?? 0;
  }

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const queue = this.queues.get(key) ?? { tail: Promise.resolve(), pending: 0 };
    queue.pending++;
    const result = queue.tail.then(task);
    queue.tail = result.then(
      () => this.settle(key, queue),
      () => this.settle(key, queue),
    );
    this.queues.set(key, queue);
    return result;
  }

  private settle(key: string, queue: { pending: number }): void {
    if (--queue.pending === 0 && this.queues.get(key) === queue) this.queues.delete(key);
  }
}
