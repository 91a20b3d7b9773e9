import { KeyedQueue } from './keyed-queue';

describe('KeyedQueue', () => {
  it('runs tasks of one key one at a time in arrival order, other keys alongside, and forgets idle keys', async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const task =
      (name: string, fail = false) =>
      async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 5));
        log.push(name);
        running--;
        if (fail) throw new Error(name);
        return name;
      };
    const a = [queue.run('a', task('a1')), queue.run('a', task('a2', true)).catch((e: Error) => `failed ${e.message}`), queue.run('a', task('a3'))];
    const b = queue.run('b', task('b1'));
    expect(queue.pending('a')).toBe(3);
    expect(await Promise.all([...a, b])).toEqual(['a1', 'failed a2', 'a3', 'b1']);
    expect(log.filter((l) => l.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    expect(most).toBe(2);
    await new Promise((r) => setImmediate(r));
    expect(queue.pending('a')).toBe(0);
    expect((queue as unknown as { queues: Map<string, unknown> }).queues.size).toBe(0);
  });
});
