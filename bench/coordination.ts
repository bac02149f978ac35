// Coordination benchmark: what the coordination algorithms cost, measured from
// simulated traces over several seeds and set against the course notes' figures.
// Mutual exclusion: messages per critical-section entry (hand-offs from request
// to entry for the token ring) for N = 3, 5, 10, 50. Election: messages per
// election, bully and Chang-Roberts, in the textbook's constructed cases and
// after a coordinator crash, for the same N.
//
//   npx tsx bench/coordination.ts          (BENCH_SEEDS=n runs per row, default 20)
//
// Each family is one section: a function that runs its algorithms, reads the
// traces with the family's metrics (src/lab/metrics/<family>.ts) and prints one
// table with `printTable`. Adding a family is one such function and one call at
// the bottom of this file.
import type { Trace } from '../src/core/trace'
import {
  BULLY_CASE_CRASH,
  bullyBestCase,
  bullyCase,
  bullyWorstCase,
  electionMetrics,
  ringAllStart,
  ringSingleInitiator,
} from '../src/lab/metrics/election'
import { mutexMetrics, mutexTheory, type MutexRequest } from '../src/lab/metrics/mutex'
import { summarize } from '../src/lab/metrics/summary'
import { runScenario } from '../src/sim/run'
import { ScenarioSchema, type ScenarioInput } from '../src/sim/scenario'

const SIZES = [3, 5, 10, 50]
const SEEDS = Number(process.env.BENCH_SEEDS ?? 20)

/** The recorded traces of one scenario run with seeds 1..SEEDS. */
function traces(input: ScenarioInput): Trace[] {
  return Array.from({ length: SEEDS }, (_, k) => {
    const r = runScenario(ScenarioSchema.parse({ ...input, seed: k + 1 }), { record: true })
    return r.trace as Trace
  })
}

const fixed = (x: number, digits = 2) => (Number.isNaN(x) ? '-' : x.toFixed(digits))

/** "mean [min-max]" of a list of measurements. */
function spread(values: number[]): string {
  const s = summarize(values)
  return s.count === 0 ? '-' : `${fixed(s.mean)} [${s.min}-${s.max}]`
}

function printTable(title: string, head: string[], rows: string[][]): void {
  const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)))
  const line = (cells: string[]) =>
    cells
      .map((c, k) =>
        k < 2 || k === cells.length - 1 ? c.padEnd(widths[k]) : c.padStart(widths[k]),
      )
      .join('  ')
      .trimEnd()
  console.log(`\n${title}\n`)
  console.log(line(head))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const r of rows) console.log(line(r))
}

// ---- mutual exclusion -----------------------------------------------------------------------

const MUTEX = ['mutex-central', 'ricart-agrawala', 'suzuki-kasami', 'token-ring', 'mutex-majority']

/**
 * A busy run: 20 requests per second over all nodes for 3 s, then 12 s more for
 * every one to be served (a run with nothing left to happen stops earlier).
 */
function mutexScenario(algorithm: string, nodes: number): ScenarioInput {
  return {
    algorithm,
    nodes,
    until: 15_000,
    workload: { rate: 20 / nodes, until: 3000 },
    params: algorithm === 'token-ring' ? { passDelayMs: 5 } : {},
  }
}

function mutexSection(): void {
  const rows: string[][] = []
  for (const algorithm of MUTEX)
    for (const n of SIZES) {
      const runs = traces(mutexScenario(algorithm, n)).map(mutexMetrics)
      const served: MutexRequest[] = runs.flatMap((m) =>
        m.requests.filter((r) => r.enter !== undefined),
      )
      const unserved = runs.reduce((k, m) => k + m.requests.length, 0) - served.length
      const wire = runs.reduce((k, m) => k + m.messages, 0) / served.length
      const theory = mutexTheory(algorithm, n)?.text ?? '-'
      let measured: string
      if (algorithm === 'token-ring')
        measured = `${spread(served.map((r) => r.handoffs))} hand-offs`
      else if (algorithm === 'mutex-central')
        // Node 0 coordinates: its own entries cost nothing and are left out here.
        measured = spread(served.filter((r) => r.node !== 0).map((r) => r.messages))
      else measured = spread(served.map((r) => r.messages))
      if (algorithm === 'mutex-majority')
        measured += `, ${fixed(summarize(served.map((r) => r.retries + 1)).mean)} attempts`
      rows.push([
        algorithm,
        String(n),
        String(served.length),
        String(unserved),
        measured,
        fixed(wire),
        theory,
      ])
    }
  printTable(
    `Mutual exclusion: messages per critical-section entry (${SEEDS} seeds per row; central: entries of non-coordinators)`,
    [
      'algorithm',
      'N',
      'entries',
      'unserved',
      'measured mean [min-max]',
      'all msgs/entry',
      'theory',
    ],
    rows,
  )
  console.log(
    '\nall msgs/entry: every message of the run over the entries; for the token ring it includes the\n' +
      'idle rounds, so it grows with the quiet time after the workload (the token never stops).',
  )
}

// ---- election -------------------------------------------------------------------------------

/** Election messages after the crash, for SEEDS runs of a scenario. */
function electionTotals(input: ScenarioInput, from: number): number[] {
  return traces(input).map((t) => electionMetrics(t, { from }).messages.total)
}

/** The election messages of one run of a deterministic scenario (constant delays). */
function electionOnce(input: ScenarioInput, from = 0): number {
  const r = runScenario(ScenarioSchema.parse(input), { record: true })
  return electionMetrics(r.trace as Trace, { from }).messages.total
}

/** A ring of `n` with 1 ms links, where the listed processes call an election at 500 ms. */
function ringElect(n: number, initiators: number[], order: 'ascending' | 'descending') {
  return {
    algorithm: 'ring-election',
    nodes: n,
    until: 500 + 10 * n,
    workload: false as const,
    params: { order },
    network: { default: { delay: { dist: 'constant' as const, ms: 1 } } },
    commands: initiators.map((node) => ({ at: 500, node, command: { kind: 'elect' } })),
  }
}

function electionSection(): void {
  const rows: string[][] = []
  for (const n of SIZES) {
    const all = Array.from({ length: n }, (_, k) => k)
    const crash = {
      nodes: n,
      until: 3000,
      workload: false as const,
      faults: [{ at: 1000, crash: n - 1 }],
    }
    rows.push(
      [
        'bully',
        String(n),
        'lowest notices the crash (worst)',
        String(electionOnce(bullyCase(n, 'worst'), BULLY_CASE_CRASH)),
        `N(N-1) = ${bullyWorstCase(n).total}`,
      ],
      [
        'bully',
        String(n),
        'second highest notices (best)',
        String(electionOnce(bullyCase(n, 'best'), BULLY_CASE_CRASH)),
        `N = ${bullyBestCase(n).total}`,
      ],
      [
        'bully',
        String(n),
        `coordinator crash, ${SEEDS} seeds`,
        spread(electionTotals({ ...crash, algorithm: 'bully' }, 1000)),
        `N(N-1) = ${n * (n - 1)}: all notice`,
      ],
      [
        'ring-election',
        String(n),
        'highest calls it',
        String(electionOnce(ringElect(n, [n - 1], 'ascending'))),
        `2N = ${ringSingleInitiator(n, 0).total}`,
      ],
      [
        'ring-election',
        String(n),
        'its successor calls it',
        String(electionOnce(ringElect(n, [0], 'ascending'))),
        `3N-1 = ${ringSingleInitiator(n, n - 1).total}`,
      ],
      [
        'ring-election',
        String(n),
        'all call it, ids ascending',
        String(electionOnce(ringElect(n, all, 'ascending'))),
        `3N-1 = ${ringAllStart(n, 'ascending').total}`,
      ],
      [
        'ring-election',
        String(n),
        'all call it, ids descending',
        String(electionOnce(ringElect(n, all, 'descending'))),
        `N(N+1)/2+N = ${ringAllStart(n, 'descending').total}`,
      ],
      [
        'ring-election',
        String(n),
        `coordinator crash, ${SEEDS} seeds`,
        spread(electionTotals({ ...crash, algorithm: 'ring-election' }, 1000)),
        '-',
      ],
    )
  }
  printTable(
    'Election: messages per election (ELECTION, ANSWER, COORDINATOR / ELECTION, ELECTED; one per destination)',
    ['algorithm', 'N', 'case', 'measured', 'theory'],
    rows,
  )
  console.log(
    '\ncoordinator crash: the highest process crashes at 1 s on the default network (1-10 ms) and\n' +
      "every live process's detector triggers the election. In bully each pair of processes then\n" +
      'exchanges one ELECTION and (the higher one live) one ANSWER: the worst case again. The other\n' +
      'rows are the constructed cases of src/lab/metrics/election.ts (bully: heartbeat delays\n' +
      'choose who notices first).',
  )
}

// ---- sections ---------------------------------------------------------------------------------

console.log(`ClockLab coordination benchmark (node ${process.version})`)
mutexSection()
electionSection()
