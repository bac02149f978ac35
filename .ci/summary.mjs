// Prints CI's one summary line from a Vitest JSON report: "N passed, N failed" plus
// ", N skipped" when any were skipped (pending + todo). A test file that failed to load
// counts as one failure. Exits 1 when anything failed, or the report is missing, unreadable
// or holds no tests; prints "0 passed, 0 failed" then, with the reason on stderr.
import { readFileSync } from 'node:fs'

const file = process.argv[2]

/** @param {string} reason */
function broken(reason) {
  console.error(`ci: ${reason}`)
  console.log('0 passed, 0 failed')
  process.exit(1)
}

if (!file) broken('usage: node .ci/summary.mjs <vitest-json-report>')

/** @type {any} */
let report
try {
  report = JSON.parse(readFileSync(/** @type {string} */ (file), 'utf8'))
} catch (err) {
  broken(`no usable test report at ${file}: ${err instanceof Error ? err.message : err}`)
}

const passed = Number(report.numPassedTests) || 0
const skipped = (Number(report.numPendingTests) || 0) + (Number(report.numTodoTests) || 0)
/** @type {any[]} */
const files = Array.isArray(report.testResults) ? report.testResults : []
const unloaded = files.filter(
  (f) =>
    f.status === 'failed' &&
    !(f.assertionResults ?? []).some((/** @type {any} */ a) => a.status === 'failed'),
).length
const failed = (Number(report.numFailedTests) || 0) + unloaded

if (passed + failed + skipped === 0) broken(`the test report at ${file} holds no tests`)
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`)
process.exit(failed > 0 ? 1 : 0)
