// Simulator throughput: events per second for Lamport runs of 5 and 1,000 nodes
// (and 1,000 nodes with vector time forced on), each streamed to a counting sink,
// against a bare loop over the same EventQueue that pops and schedules the same
// number of no-op events at the same mean queue length. Also the peak memory of
// the 1,000-node, 1M-event run. Warm-up once, then the median of 3 timed runs.
//
//   npm run bench:sim            (BENCH_QUICK=1 for a smoke run with 10x fewer events)
import { performance } from 'node:perf_hooks'
import { createSimulator } from '../src/sim/run'
import { ScenarioSchema } from '../src/sim/scenario'
import { EventQueue } from '../src/sim/queue'
import type { Simulator } from '../src/sim/simulator'

const QUICK = process.env.BENCH_QUICK === '1'
const scale = (n: number) => (QUICK ? Math.round(n / 10) : n)
const REPEATS = 3

interface Case {
  label: string
  nodes: number
  events: number
  vectorTime?: boolean
  /** Workload commands per node per second. */
  rate: number
}

const cases: Case[] = [
  { label: 'lamport, 5 nodes', nodes: 5, events: scale(1_000_000), rate: 5 },
  { label: 'lamport, 1,000 nodes', nodes: 1000, events: scale(1_000_000), rate: 5 },
  {
    label: 'lamport, 1,000 nodes, vectorTime forced',
    nodes: 1000,
    events: scale(200_000),
    rate: 5,
    vectorTime: true,
  },
]

function scenario(c: Case) {
  return ScenarioSchema.parse({
    algorithm: 'lamport',
    nodes: c.nodes,
    seed: 1,
    // Far beyond what the event budget needs: maxEvents ends the run.
    until: 1e12,
    maxEvents: c.events,
    workload: { rate: c.rate },
    ...(c.vectorTime !== undefined ? { vectorTime: c.vectorTime } : {}),
  })
}

type QueueView = { readonly size: number }
const queueOf = (sim: Simulator) => (sim as unknown as { queue: QueueView }).queue

interface SimRun {
  seconds: number
  events: number
  pops: number
  meanQueue: number
  peakRss: number
  peakHeap: number
}

/**
 * One run to a counting sink. `probe` drives the loop step by step to count queue pops and
 * average the queue length (untimed warm-up only: patching the queue would skew the JIT).
 */
function runSim(c: Case, probe: boolean): SimRun {
  let count = 0
  const sim = createSimulator(scenario(c), [() => void count++])
  let peakRss = 0
  let peakHeap = 0
  const sample = () => {
    const m = process.memoryUsage()
    if (m.rss > peakRss) peakRss = m.rss
    if (m.heapUsed > peakHeap) peakHeap = m.heapUsed
  }
  let pops = 0
  let queueSum = 0
  sample()
  const t0 = performance.now()
  if (probe) {
    // Each successful step pops one item; the queue length is read just before the pop.
    const q = queueOf(sim)
    for (;;) {
      const size = q.size
      if (!sim.stepOnce()) break
      pops++
      queueSum += size
    }
  } else sim.run(sample, 20_000)
  const seconds = (performance.now() - t0) / 1000
  sample()
  const stats = sim.getStats()
  if (stats.events !== count) throw new Error(`sink saw ${count} events, stats say ${stats.events}`)
  return {
    seconds,
    events: count,
    pops,
    meanQueue: pops > 0 ? queueSum / pops : NaN,
    peakRss,
    peakHeap,
  }
}

class Bare {
  order = 0
  constructor(
    public time: number,
    public node: number,
  ) {}
}

/** Pops and reschedules `events` no-op items, keeping `length` items queued. */
function runBare(events: number, length: number): number {
  const q = new EventQueue<Bare>()
  let x = 0x9e3779b9 | 0
  const rand = () => {
    // xorshift32: cheap, so the loop measures the queue and not the generator.
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 4294967296
  }
  const meanDelay = 10
  for (let k = 0; k < length; k++) q.push(new Bare(rand() * meanDelay * 2, k))
  let sink = 0
  const t0 = performance.now()
  for (let k = 0; k < events; k++) {
    const it = q.pop() as Bare
    sink += it.node
    q.push(new Bare(it.time - Math.log(1 - rand()) * meanDelay, it.node))
  }
  const seconds = (performance.now() - t0) / 1000
  if (sink < 0) console.log(sink)
  return seconds
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`

console.log(
  `ClockLab simulator benchmark (node ${process.version}, ${QUICK ? 'QUICK' : 'full'}; median of ${REPEATS} after one warm-up)\n`,
)
const rows: string[][] = []
let memoryNote = ''
for (const c of cases) {
  process.stderr.write(`${c.label}: warm-up...`)
  const warm = runSim(c, true)
  const length = Math.max(1, Math.round(warm.meanQueue))
  runBare(warm.events, length)
  const sim: SimRun[] = []
  const bare: number[] = []
  for (let r = 0; r < REPEATS; r++) {
    process.stderr.write(` ${r + 1}`)
    sim.push(runSim(c, false))
    bare.push(runBare(warm.events, length))
  }
  process.stderr.write('\n')
  const simRate = warm.events / median(sim.map((s) => s.seconds))
  const bareRate = warm.events / median(bare)
  rows.push([
    c.label,
    fmt(warm.events),
    (warm.pops / warm.events).toFixed(2),
    warm.meanQueue.toFixed(0),
    fmt(simRate),
    fmt(bareRate),
    (simRate / bareRate).toFixed(2),
    mb(Math.max(...sim.map((s) => s.peakRss))),
    mb(Math.max(...sim.map((s) => s.peakHeap))),
  ])
  if (c.nodes === 1000 && !c.vectorTime)
    memoryNote =
      `1,000-node ${fmt(warm.events)}-event run: peak RSS ${mb(Math.max(...sim.map((s) => s.peakRss)))}, ` +
      `peak heapUsed ${mb(Math.max(...sim.map((s) => s.peakHeap)))} (target: under 1 GB)`
}

const head = [
  'run',
  'events',
  'pops/event',
  'mean queue',
  'sim events/s',
  'bare events/s',
  'sim/bare',
  'peak RSS',
  'peak heap',
]
const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)))
const line = (cells: string[]) =>
  cells.map((s, k) => (k === 0 ? s.padEnd(widths[k]) : s.padStart(widths[k]))).join('  ')
console.log(line(head))
console.log(widths.map((w) => '-'.repeat(w)).join('  '))
for (const r of rows) console.log(line(r))
console.log(`\nsim/bare target: at least 0.3. ${memoryNote}`)
console.log(
  'bare = the same EventQueue popping and rescheduling no-op items, same event count and mean queue length.',
)
console.log(
  'peak RSS / heap: max of process.memoryUsage() sampled every 20,000 events during the timed runs (whole process).',
)
