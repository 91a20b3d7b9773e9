#!/usr/bin/env node
// Sums jest --json result files into the one line CI prints: "tests: N passed, M failed".
// Usage: node scripts/jest-summary.js <dir> [failedSteps]
const fs = require('node:fs');
const path = require('node:path');

const dir = process.argv[2] || '.tmp/jest';
const failedSteps = Number(process.argv[3] || 0);
let passed = 0;
let failed = 0;
let files = 0;
for (const file of fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : []) {
  const result = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  files++;
  passed += result.numPassedTests;
  failed += result.numFailedTests;
  // A suite that crashed before running its tests counts as one failure.
  failed += result.numRuntimeErrorTestSuites || 0;
}
failed += failedSteps;
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || files === 0 ? 1 : 0);
