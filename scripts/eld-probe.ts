/**
 * Loaded with `node -r dist/scripts/eld-probe.js dist/src/main.js` by the import benchmark. Measures
 * the app's event loop and sends the figures over the IPC channel when asked ("eld"), then starts
 * over (not on a signal: Nest's shutdown hooks take SIGUSR2 and most others):
 *   the event-loop delay (perf_hooks.monitorEventLoopDelay), and, from the main thread's
 *   /proc/thread-self/schedstat read at every turn of a 2 ms timer, the longest turn, its part
 *   spent waiting for a CPU held by other processes, and the longest CPU work in one turn.
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

const histogram = monitorEventLoopDelay({ resolution: 10 });
histogram.enable();

function schedstat(): { cpuMs: number; waitMs: number } | null {
  try {
    const [cpu, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number);
    return { cpuMs: cpu / 1e6, waitMs: wait / 1e6 };
  } catch {
    return null;
  }
}

let turns = { since: performance.now(), maxWallMs: 0, maxOwnMs: 0, maxCpuMs: 0, waitMs: 0 };
let last = performance.now();
let before = schedstat();
if (before) {
  setInterval(() => {
    const now = performance.now();
    const after = schedstat()!;
    const wall = now - last;
    const wait = after.waitMs - before!.waitMs;
    turns.maxWallMs = Math.max(turns.maxWallMs, wall);
    turns.maxOwnMs = Math.max(turns.maxOwnMs, wall - wait);
    turns.maxCpuMs = Math.max(turns.maxCpuMs, after.cpuMs - before!.cpuMs);
    turns.waitMs += wait;
    last = now;
    before = after;
  }, 2).unref();
}

if (process.send) {
  process.channel?.unref();
  process.on('message', (message) => {
    if (message !== 'eld') return;
    const ms = (ns: number) => Math.round(ns / 1e5) / 10;
    const round = (x: number) => Math.round(x * 10) / 10;
    const waitShare = Math.round((100 * turns.waitMs) / (performance.now() - turns.since));
    process.send!({
      eld: { maxMs: ms(histogram.max), p99Ms: ms(histogram.percentile(99)), meanMs: ms(histogram.mean), samples: histogram.count },
      turns: { maxWallMs: round(turns.maxWallMs), maxOwnMs: round(turns.maxOwnMs), maxCpuMs: round(turns.maxCpuMs), waitSharePct: waitShare },
    });
    histogram.reset();
    turns = { since: performance.now(), maxWallMs: 0, maxOwnMs: 0, maxCpuMs: 0, waitMs: 0 };
  });
}
