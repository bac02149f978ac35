// Clock-synchronization benchmark: how close each algorithm brings the clocks,
// and how fast, under four network conditions, true time known (simulation).
// For each algorithm × condition, over many seeds (clock offsets up to ±50 ms and
// skews up to ±20 ppm drawn per node and seed):
// - offset error p50 / p95 / max, taken over the second half of each run:
//   Cristian and NTP, each client's |local − true| at its events; Berkeley, each
//   node's distance from the ensemble's mean clock (it agrees, it has no
//   reference); RBS, each relative estimate's miss (no clock is changed);
// - convergence time: when a node's error enters 2 × the row's p95 and stays
//   there to the end of the run; the median over nodes and seeds (and how many
//   never did).
//
//   npm run bench:sync        (BENCH_SEEDS=n seeds per row, default 100)
import {
  clockSamples,
  convergenceTime,
  ensembleErrors,
  externalErrors,
  OffsetTracks,
  sampleError,
  spread,
  type Series,
} from '../src/lab/metrics/sync'
import { runScenario } from '../src/sim/run'
import { ScenarioSchema, type ScenarioInput } from '../src/sim/scenario'
import type { TraceEvent } from '../src/core/trace'

const SEEDS = Number(process.env.BENCH_SEEDS ?? 100)

type Network = NonNullable<ScenarioInput['network']>

/**
 * The network conditions; the asymmetric path is slow from the time's side (server, master,
 * sender) to the others and fast back, a 4 ms asymmetry of the means.
 */
const CONDITIONS: { name: string; network: (servers: number[], others: number[]) => Network }[] = [
  {
    name: 'LAN (0.1-0.5 ms)',
    network: () => ({ default: { delay: { dist: 'uniform', min: 0.1, max: 0.5 } } }),
  },
  {
    name: 'Wi-Fi (lognormal 3 ms)',
    network: () => ({ default: { delay: { dist: 'lognormal', median: 3, sigma: 0.8, min: 1 } } }),
  },
  {
    name: 'asymmetric (1-2 / 5-6 ms)',
    network: (servers, others) => ({
      default: { delay: { dist: 'uniform', min: 1, max: 2 } },
      links: servers.flatMap((from) =>
        others.map((to) => ({ from, to, delay: { dist: 'uniform' as const, min: 5, max: 6 } })),
      ),
    }),
  },
  {
    name: '2% loss (1-5 ms)',
    network: () => ({ default: { delay: { dist: 'uniform', min: 1, max: 5 }, loss: 0.02 } }),
  },
]

interface Algo {
  name: string
  /** The run, without its network. */
  scenario: Omit<ScenarioInput, 'network' | 'seed'>
  /** The nodes whose time the others take, and the others. */
  servers: number[]
  others: number[]
  /** Each measured node's error series, from a finished run. */
  errors(events: TraceEvent[], nodes: number): Series[]
}

const clients = [1, 2, 3]
const drifting = { default: { offsetBoundMs: 50, skewBoundPpm: 20 } }

const ALGORITHMS: Algo[] = [
  {
    name: 'cristian',
    scenario: {
      algorithm: 'cristian',
      nodes: 4,
      until: 600_000,
      params: { periodMs: 10_000 },
      clocks: { ...drifting, nodes: { '0': { reference: {}, offsetBoundMs: 0, skewBoundPpm: 0 } } },
    },
    servers: [0],
    others: clients,
    errors: (events, n) => externalErrors(new OffsetTracks(n, events), clients),
  },
  {
    name: 'berkeley',
    scenario: {
      algorithm: 'berkeley',
      nodes: 4,
      until: 600_000,
      params: { periodMs: 10_000 },
      clocks: drifting,
    },
    servers: [0],
    others: clients,
    errors: (events, n) =>
      ensembleErrors(new OffsetTracks(n, events), [0, ...clients], [0, ...clients]),
  },
  {
    name: 'ntp',
    scenario: {
      algorithm: 'ntp',
      nodes: 6,
      until: 3_600_000,
      params: { servers: 3, stratumDepth: 2, skewBoundPpm: 20 },
      clocks: {
        ...drifting,
        nodes: Object.fromEntries(
          [0, 1, 2].map((k) => [String(k), { reference: {}, offsetBoundMs: 0, skewBoundPpm: 0 }]),
        ),
      },
    },
    servers: [0, 1, 2],
    others: [3, 4, 5],
    errors: (events, n) => externalErrors(new OffsetTracks(n, events), [3, 4, 5]),
  },
  {
    name: 'rbs',
    scenario: {
      algorithm: 'rbs',
      nodes: 4,
      until: 300_000,
      params: { periodMs: 1000 },
      clocks: drifting,
    },
    servers: [0],
    others: clients,
    errors(events, n) {
      const tracks = new OffsetTracks(n, events)
      const bySeries = new Map<string, Series>()
      for (const row of clockSamples(events)) {
        const err = sampleError(row, tracks)
        if (err === undefined) continue
        const key = `${row.node}-${row.peer}`
        if (!bySeries.has(key)) bySeries.set(key, [])
        bySeries.get(key)!.push([row.time, err])
      }
      return [...bySeries.values()]
    },
  },
]

function measure(algo: Algo, condition: (typeof CONDITIONS)[number]) {
  const network = condition.network(algo.servers, algo.others)
  const settled: number[] = []
  const runs: Series[] = []
  for (let seed = 1; seed <= SEEDS; seed++) {
    const input = { ...algo.scenario, network, seed, workload: false as const }
    const events: TraceEvent[] = []
    runScenario(ScenarioSchema.parse(input), { sinks: [(e) => events.push(e)] })
    const half = (input.until ?? 0) / 2
    for (const series of algo.errors(events, input.nodes ?? 3)) {
      runs.push(series)
      for (const [t, err] of series) if (t >= half) settled.push(err)
    }
  }
  const s = spread(settled)
  const times = runs.map((series) => convergenceTime(series, 2 * s.p95))
  const done = times.filter((t): t is number => t !== undefined).sort((a, b) => a - b)
  return { ...s, convergence: done[Math.floor(done.length / 2)], never: times.length - done.length }
}

const ms = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(3))
const s = (x: number | undefined) => (x === undefined ? '-' : (x / 1000).toFixed(0))

const head = ['algorithm', 'network', 'p50 ms', 'p95 ms', 'max ms', 'converged s', 'never']
const rows: string[][] = []
for (const algo of ALGORITHMS)
  for (const c of CONDITIONS) {
    const m = measure(algo, c)
    rows.push([
      algo.name,
      c.name,
      ms(m.p50),
      ms(m.p95),
      ms(m.max),
      s(m.convergence),
      String(m.never),
    ])
  }
const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)))
const line = (cells: string[]) =>
  cells.map((c, k) => (k < 2 ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join('  ')
console.log(
  `\nClock synchronization: offset error over the second half of each run, and convergence\n(${SEEDS} seeds per row; offsets up to ±50 ms, skews up to ±20 ppm)\n`,
)
console.log(line(head))
console.log(widths.map((w) => '-'.repeat(w)).join('  '))
for (const r of rows) console.log(line(r))
console.log(
  '\nerror: cristian, ntp: |local − true| of each client; berkeley: distance from the mean clock;\n' +
    'rbs: miss of each relative estimate. converged: median time after which a node stays within\n' +
    '2 × p95; never: nodes (or pairs) whose error was outside that band at the end of the run.',
)
