// Live-lab load bench: 20 real `clocklab lan join` processes on loopback and a starter
// running Ricart-Agrawala across all of them with a workload for the whole run (default
// 10 minutes), lab heartbeats throughout. Prints each process's memory (RSS, anonymous and
// file-backed, and its own report of JS heap and external memory right after a full GC) at
// the start, after warm-up and at the end (min/median/max), growth and slope after warm-up
// against their bounds, the trace events the nodes logged vs those the starter received and
// merged (equal: none lost), and the checkers' verdicts. Exits 1 if a bound fails.
//
//   npm run bench:lan-load -- --seconds 600     (or CLOCKLAB_LOAD_SECONDS; default 600)
//   options: --peers N (20), --rate R (commands/s per node, 0.3), --algorithm A,
//            --json FILE (the whole report, every sample included)
import { writeFileSync } from 'node:fs'
import { describeLoad, loadFailures, runLoad } from '../test/net/load-harness'

const arg = (name: string): string | undefined => {
  const k = process.argv.indexOf(`--${name}`)
  return k < 0 ? undefined : process.argv[k + 1]
}
const seconds = Number(arg('seconds') ?? process.env.CLOCKLAB_LOAD_SECONDS ?? 600)
const peers = Number(arg('peers') ?? 20)
const rate = Number(arg('rate') ?? 0.3)
const algorithm = arg('algorithm') ?? 'ricart-agrawala'
const json = arg('json')
if (!(seconds > 0) || !(peers >= 2) || !(rate >= 0)) {
  console.error(
    'usage: tsx bench/lan-load.ts [--seconds N] [--peers N] [--rate R] [--algorithm A] [--json FILE]',
  )
  process.exit(2)
}

const report = await runLoad({
  peers,
  seconds,
  algorithm,
  rate,
  sampleMs: 5000,
  say: (line) => console.log(line),
})
for (const line of describeLoad(report)) console.log(line)
if (json !== undefined) writeFileSync(json, JSON.stringify(report))
const failures = loadFailures(report)
console.log(failures.length === 0 ? 'load: all bounds hold' : `load FAILED: ${failures.join('; ')}`)
process.exit(failures.length === 0 ? 0 : 1)
