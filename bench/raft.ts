// Raft benchmark: what Raft costs and how fast it recovers, measured from
// simulated traces, for groups of 3, 5 and 7 servers (plus 2 clients).
// - Failover: the leader crashes at 1 s; the time until a leader of a later
//   term is elected, p50/p95/p99 over BENCH_SEEDS runs, as a multiple of the
//   minimum election timeout (150 ms; target p50 <= 1.5x). Each run is played
//   twice with the same seed: once to see who leads at 1 s, once crashing it.
// - Steady state (10 s, 2 clients at 10 requests/s each, no faults): commit
//   latency (leader append to commit) and client latency (call to answer) in
//   mean message delays, and messages per committed command, heartbeats included.
// - The linearizability checker on the histories of busy runs (10, 30, 100
//   clients; thousands of operations): how long the search takes. Its cost
//   grows with how many operations on one key overlap (the overlap column).
//
//   npx tsx bench/raft.ts          (BENCH_SEEDS=n failover runs per size, default 300)
import { RAFT_LEADER } from '../src/algorithms/raft/notes'
import type { NodeId } from '../src/core/process'
import { isProcessEvent, notesOf, type Trace } from '../src/core/trace'
import { raftMetrics } from '../src/lab/metrics/raft'
import { summarize } from '../src/lab/metrics/summary'
import { KvHistory, type KvOperation } from '../src/check/linearizability/kv-checker'
import { kvModel } from '../src/check/linearizability/kv-model'
import { checkLinearizability } from '../src/check/linearizability/wgl'
import { runScenario } from '../src/sim/run'
import { ScenarioSchema, type ScenarioInput } from '../src/sim/scenario'

const SIZES = [3, 5, 7]
const CLIENTS = 2
const SEEDS = Number(process.env.BENCH_SEEDS ?? 300)
const STEADY_SEEDS = 20
const CRASH_AT = 1000
const ELECTION_MIN_MS = 150

function trace(input: ScenarioInput): Trace {
  return runScenario(ScenarioSchema.parse(input), { record: true }).trace as Trace
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

const fixed = (x: number, digits = 2) => (Number.isNaN(x) ? '-' : x.toFixed(digits))

function printTable(title: string, head: string[], rows: string[][]): void {
  const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)))
  const line = (cells: string[]) => cells.map((c, k) => c.padStart(widths[k])).join('  ')
  console.log(`\n${title}\n`)
  console.log(line(head))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const r of rows) console.log(line(r))
}

const base = (servers: number, seed: number): ScenarioInput => ({
  algorithm: 'raft',
  nodes: servers + CLIENTS,
  seed,
  params: { electionMinMs: ELECTION_MIN_MS, electionMaxMs: 2 * ELECTION_MIN_MS },
})

/** Failover time after the leader at CRASH_AT crashes, ms (undefined: no leader to crash, or none after). */
function failover(servers: number, seed: number): number | undefined {
  const leader = latestLeader(trace({ ...base(servers, seed), until: CRASH_AT }))
  if (leader === undefined) return undefined
  const after = raftMetrics(
    trace({
      ...base(servers, seed),
      until: CRASH_AT + 3000,
      faults: [{ at: CRASH_AT, crash: leader }],
    }),
  )
  return after.failovers[0]?.ms
}

/** The server that last became leader in a run without faults. */
function latestLeader(t: Trace): NodeId | undefined {
  let leader: NodeId | undefined
  for (const e of t.events)
    if (isProcessEvent(e) && notesOf(e, RAFT_LEADER).length > 0) leader = e.node
  return leader
}

function failoverSection(): void {
  const rows = SIZES.map((servers) => {
    const times: number[] = []
    for (let seed = 1; seed <= SEEDS; seed++) {
      const ms = failover(servers, seed)
      if (ms !== undefined) times.push(ms)
    }
    times.sort((a, b) => a - b)
    const x = (p: number) => fixed(percentile(times, p) / ELECTION_MIN_MS)
    return [
      String(servers),
      String(times.length),
      x(50),
      x(95),
      x(99),
      fixed(summarize(times).mean, 0),
    ]
  })
  printTable(
    `Failover after a leader crash, in minimum election timeouts (${ELECTION_MIN_MS} ms; timeouts 150-300 ms, delays 1-10 ms)`,
    ['servers', 'runs', 'p50', 'p95', 'p99', 'mean ms'],
    rows,
  )
}

function steadySection(): void {
  const rows = SIZES.map((servers) => {
    const runs = Array.from({ length: STEADY_SEEDS }, (_, k) =>
      raftMetrics(trace({ ...base(servers, k + 1), until: 10_000, workload: { rate: 10 } })),
    )
    const inDelays = (pick: (m: ReturnType<typeof raftMetrics>) => number[]) =>
      summarize(runs.flatMap((m) => pick(m).map((ms) => ms / m.meanDelayMs))).mean
    const messages = runs.reduce((k, m) => k + m.messages, 0)
    const commands = runs.reduce((k, m) => k + m.committedCommands, 0)
    return [
      String(servers),
      String(commands),
      fixed(inDelays((m) => m.commitMs)),
      fixed(inDelays((m) => m.clientMs)),
      fixed(messages / commands, 1),
    ]
  })
  printTable(
    `Steady state: latency in mean message delays, messages per committed command (${STEADY_SEEDS} runs of 10 s, 2 clients at 10 requests/s)`,
    ['servers', 'commands', 'commit', 'client', 'msgs/command'],
    rows,
  )
}

/** The most operations on one key in flight at once: what the search's cost grows with. */
function maxOverlap(ops: KvOperation[]): number {
  let max = 0
  for (const key of new Set(ops.map((o) => o.input.key))) {
    const edges = ops
      .filter((o) => o.input.key === key)
      .flatMap((o) => [
        [o.call, 1],
        [o.ret, -1],
      ])
      .sort((a, b) => a[0] - b[0] || a[1] - b[1])
    let open = 0
    for (const [, d] of edges) max = Math.max(max, (open += d))
  }
  return max
}

function linearizabilitySection(): void {
  const rows: string[][] = []
  for (const clients of [10, 30, 100]) {
    const t = trace({
      algorithm: 'raft',
      nodes: 3 + clients,
      params: { servers: 3 },
      until: 30_000,
      workload: { rate: 5 },
    })
    const history = new KvHistory()
    for (const e of t.events) history.observe(e)
    const ops = history.operations()
    const start = performance.now()
    const r = checkLinearizability(kvModel, ops)
    const ms = performance.now() - start
    rows.push([
      String(clients),
      String(ops.length),
      String(maxOverlap(ops)),
      r.ok ? 'yes' : 'NO',
      fixed(ms, 0),
    ])
  }
  printTable(
    'Linearizability check of a Raft history (3 servers, 3 keys, 30 s at 5 requests/s per client)',
    ['clients', 'operations', 'overlap', 'linearizable', 'ms'],
    rows,
  )
}

failoverSection()
steadySection()
linearizabilitySection()
