/**
 * Loaded with `node -r dist/scripts/eld-probe.js dist/src/main.js` by the import benchmark: measures
 * the app's event-loop delay and sends it over the IPC channel when asked ("eld"), then starts over.
 * (Not a signal: Nest's shutdown hooks take SIGUSR2 and most others.)
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

const histogram = monitorEventLoopDelay({ resolution: 10 });
histogram.enable();
if (process.send) {
  process.channel?.unref();
  process.on('message', (message) => {
    if (message !== 'eld') return;
    const ms = (ns: number) => Math.round(ns / 1e5) / 10;
    process.send!({ eld: { maxMs: ms(histogram.max), p99Ms: ms(histogram.percentile(99)), meanMs: ms(histogram.mean), samples: histogram.count } });
    histogram.reset();
  });
}
