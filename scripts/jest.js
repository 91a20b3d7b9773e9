#!/usr/bin/env node
// Runs jest; when JEST_JSON_DIR is set (CI), also writes jest's JSON result there as <name>.json.
// Usage: node scripts/jest.js <name> [jest args…]
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const [name, ...args] = process.argv.slice(2);
const dir = process.env.JEST_JSON_DIR;
const extra = dir ? ['--json', `--outputFile=${path.join(dir, `${name}.json`)}`] : [];
const jestBin = require.resolve('jest/bin/jest');
const result = spawnSync(process.execPath, [jestBin, ...args, ...extra], { stdio: 'inherit' });
process.exit(result.status ?? 1);
