#!/usr/bin/env node
// Sums jest --json result files into the one line CI prints last: "tests: N passed, M failed".
// Above it, each suite with failures (how many, the first names and the head of the first message)
// or that failed outside its tests, so that the tail of CI's output says what failed, not only how much.
// Usage: node scripts/jest-summary.js <dir> [failedSteps]
const fs = require('node:fs');
const path = require('node:path');

const dir = process.argv[2] || '.tmp/jest';
const failedSteps = Number(process.argv[3] || 0);
const MESSAGE_LINES = 12;
const MAX_REPORTED = 15;
const plain = (text) => String(text).replace(/\x1b\[[0-9;]*m/g, '');
// The message and the project's own stack frames: jest's and Node's frames say nothing here.
const head = (text) =>
  plain(text)
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^\s+at .*(node_modules|node:internal|<anonymous>)/.test(line))
    .slice(0, MESSAGE_LINES)
    .map((line) => `      ${line.slice(0, 300)}`)
    .join('\n');

let passed = 0;
let failed = 0;
let files = 0;
const reports = [];
const resultFiles = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
for (const file of resultFiles.sort()) {
  const result = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  files++;
  passed += result.numPassedTests;
  failed += result.numFailedTests;
  // A suite that crashed before running its tests counts as one failure.
  failed += result.numRuntimeErrorTestSuites || 0;
  const run = path.basename(file, '.json');
  for (const suite of result.testResults || []) {
    const name = path.relative(process.cwd(), suite.name);
    const failedTests = (suite.assertionResults || []).filter((a) => a.status === 'failed');
    // A suite whose tests all failed the same way (a hook, a timeout) is reported once: its count,
    // a few names and the first message.
    if (failedTests.length > 0) {
      const names = failedTests.slice(0, 5).map((t) => `    › ${t.fullName} (${t.duration ?? '?'} ms)`);
      if (failedTests.length > 5) names.push(`    › … and ${failedTests.length - 5} more`);
      const total = (suite.assertionResults || []).length;
      reports.push(`  [${run}] ${name}: ${failedTests.length} of ${total} failed\n${names.join('\n')}\n${head((failedTests[0].failureMessages || []).join('\n'))}`);
    }
    if (suite.status === 'failed' && failedTests.length === 0) {
      reports.push(`  [${run}] ${name}: the suite failed outside its tests\n${head(suite.message || suite.failureMessage || '')}`);
    }
  }
}
if (reports.length > 0) {
  console.log(`::: failures in ${reports.length} suite(s)${reports.length > MAX_REPORTED ? `, the first ${MAX_REPORTED}` : ''}:`);
  for (const report of reports.slice(0, MAX_REPORTED)) console.log(report);
}
failed += failedSteps;
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || files === 0 ? 1 : 0);
