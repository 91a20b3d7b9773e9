/** What every benchmark that starts the built app needs: a free port and the node flags of `npm start`. */
import { readFileSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** The node flags `npm start` runs the app with, so a benchmark measures the app as deployed. */
export function startScriptNodeFlags(): string[] {
  const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start;
  const m = /\bnode((?:\s+--[\w-]+(?:=\S+)?)*)\s+dist\/src\/main\.js/.exec(start);
  if (!m) throw new Error(`cannot find "node … dist/src/main.js" in the start script: ${start}`);
  return m[1].trim().split(/\s+/).filter(Boolean);
}
