#!/usr/bin/env node
// Runs jest; when JEST_JSON_DIR is set (CI), also writes jest's JSON result there as <name>.json.
// Usage: node scripts/jest.js <name> [jest args…]
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const [name, ...args] = process.argv.slice(2);
const dir = process.env.JEST_JSON_DIR;
// A shard of a run (--shard=1/2) writes its own file: pg-1of2.json.
const shard = args.map((a) => /^--shard=(\d+)\/(\d+)$/.exec(a)).find(Boolean);
const file = shard ? `${name}-${shard[1]}of${shard[2]}` : name;
const extra = dir ? ['--json', `--outputFile=${path.join(dir, `${file}.json`)}`] : [];
const jestBin = require.resolve('jest/bin/jest');
const result = spawnSync(process.execPath, [jestBin, ...args, ...extra], { stdio: 'inherit' });
process.exit(result.status ?? 1);
