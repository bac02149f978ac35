// The accuracy each sync algorithm reaches, checked against what theory says,
// over many seeds (CLOCKLAB_SYNC_SEEDS, default 500): each assertion is derived
// in the comment above it, not tuned to a seed. True time is known in the
// simulator, so every clock's true offset (local − true) is read off the trace.
// About 6 s on one core at 500 seeds.
import { beforeAll, describe, expect, it } from 'vitest'
import type { TraceEvent } from '../../../src/core/trace'
import {
  clockSamples,
  OffsetTracks,
  sampleError,
  type SampleRow,
} from '../../../src/lab/metrics/sync'
import { runScenario } from '../../../src/sim/run'
import { ScenarioSchema, type ScenarioInput } from '../../../src/sim/scenario'

const SEEDS = Number(process.env.CLOCKLAB_SYNC_SEEDS ?? 500)
const seeds = Array.from({ length: SEEDS }, (_, k) => k + 1)

beforeAll(() => console.log(`sync accuracy: ${SEEDS} seeds per property (CLOCKLAB_SYNC_SEEDS)`))

function run(input: ScenarioInput): TraceEvent[] {
  const events: TraceEvent[] = []
  runScenario(ScenarioSchema.parse({ workload: false, ...input }), {
    sinks: [(e) => events.push(e)],
  })
  return events
}

/** True offsets (local − true) of `node` at its events from true time `from` on. */
function offsets(events: TraceEvent[], node: number, from: number): number[] {
  const out: number[] = []
  for (const e of events)
    if ('node' in e && e.node === node && e.time !== undefined && e.time >= from)
      out.push(e.local - e.time)
  return out
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
const rms = (xs: number[]) => Math.sqrt(xs.reduce((a, b) => a + b * b, 0) / xs.length)

describe("Cristian's algorithm", () => {
  // The server reads its reference (true time) somewhere between the request's
  // arrival and the reply's departure, i.e. within the client's round trip
  // [T0 + min, T1 − min]. Taking T + RTT/2 therefore misses by at most RTT/2 − min,
  // whatever the delays' distribution, plus the client's drift over the round trip
  // (skew ≤ 15 ppm, the bound the algorithm assumes). So every accepted sample
  // satisfies |estimate − true offset| ≤ its error bound. The bound is not loose:
  // the miss is (d_out − d_in)/2, which nears it when one leg is short and the
  // other long, so some sample comes within half of it.
  it('every sample misses the true offset by at most its bound RTT/2 (− min) + drift', () => {
    let worst = 0
    let samples = 0
    for (const seed of seeds) {
      const lo = 0.5 + (seed % 5)
      const hi = lo + 1 + (seed % 17)
      const events = run({
        algorithm: 'cristian',
        nodes: 4,
        seed,
        until: 60_000,
        params: { periodMs: 5000, minDelayMs: seed % 2 === 0 ? lo : 0 },
        network: {
          default: { delay: { dist: 'uniform', min: lo, max: hi } },
          links: [
            { from: 0, to: 3, delay: { dist: 'lognormal', median: hi, sigma: 0.5, min: lo } },
          ],
        },
        clocks: {
          default: { offsetBoundMs: 200, skewBoundPpm: 15 },
          nodes: { '0': { offsetBoundMs: 0, skewBoundPpm: 0, reference: { jitterMs: 0.01 } } },
        },
      })
      const tracks = new OffsetTracks(4, events)
      for (const row of clockSamples(events)) {
        const miss = Math.abs(sampleError(row, tracks)!)
        expect(miss).toBeLessThanOrEqual(row.error)
        worst = Math.max(worst, miss / row.error)
        samples++
      }
    }
    // Each client polls every 5 s of its own clock for 60 s: about 12 samples each.
    expect(samples).toBeGreaterThanOrEqual(SEEDS * 3 * 11)
    expect(worst).toBeGreaterThan(0.5)
  })
})

describe('Berkeley', () => {
  // Zero skew, so each clock keeps its initial offset o_i until adjusted. The master
  // estimates node i's difference as d_i + e_i with |e_i| ≤ RTT_i/2 (the reading was
  // taken within the round trip), averages the group, and sends a_i = avg − (d_i + e_i).
  // After adjusting, node i's offset is mean(o) + mean(e) − e_i: it is off the true
  // average of the initial offsets by at most RTT_i/2 + mean_j(RTT_j/2), the bound
  // each sample carries. A clock 5 s off is outside the 100 ms tolerance: it is left
  // out of the average, yet adjusted onto it within the same bound.
  it('one round brings every node to the average of the agreeing clocks, within its RTT-derived bound', () => {
    for (const seed of seeds) {
      const initial = [0, 1, 2, 3].map((k) => ((seed * 37 + k * 53) % 81) - 40)
      const outlier = 5000
      const events = run({
        algorithm: 'berkeley',
        nodes: 5,
        seed,
        until: 1000,
        params: { periodMs: 10_000, toleranceMs: 100, discipline: { mode: 'step' } },
        network: { default: { delay: { dist: 'uniform', min: 0.5, max: 1 + (seed % 20) } } },
        clocks: {
          nodes: Object.fromEntries(
            [...initial, outlier].map((offset, k) => [String(k), { offset }]),
          ),
        },
      })
      const average = mean(initial)
      const adjusted = new Set<number>()
      for (const row of clockSamples(events)) {
        // The sample estimates local − average; stepping by −estimate leaves the clock at
        // trueOffset − estimate.
        const after = row.trueOffset - row.estimate
        expect(Math.abs(after - average)).toBeLessThanOrEqual(row.error + 1e-9)
        adjusted.add(row.node)
      }
      expect([...adjusted].sort()).toEqual([0, 1, 2, 3, 4])
    }
  })
})

describe('NTP', () => {
  const servers = { '0': { reference: {} }, '1': { reference: {} }, '2': { reference: {} } }
  const client = { offsetBoundMs: 100, skewBoundPpm: 15 }

  // Symmetric delays, uniform 1-5 ms: one exchange misses by (d_out − d_in)/2, zero on
  // average, with standard deviation σ_d/√2 = 0.82 ms (σ_d = 4/√12 = 1.15 ms, the delay
  // jitter) and never more than (5 − 1)/2 = 2 ms. The clock filter keeps the
  // lowest-delay samples (legs near their minimum, so smaller misses), selection
  // combines three servers and the loop corrects a quarter of each update's offset:
  // all of these average independent misses, so after convergence (20 min: the
  // frequency is measured over 5 minutes, then the PLL settles) the clock's error has
  // no bias, an RMS well below the jitter (under σ_d/2), and stays within 2 ms.
  it('symmetric 1-5 ms delays: error well below the delay jitter, unbiased, within (max − min)/2', () => {
    const all: number[] = []
    for (const seed of seeds) {
      const events = run({
        algorithm: 'ntp',
        nodes: 4,
        seed,
        until: 1_800_000,
        params: { servers: 3, stratumDepth: 2 },
        network: { default: { delay: { dist: 'uniform', min: 1, max: 5 } } },
        clocks: { nodes: { ...servers, '3': client } },
      })
      all.push(...offsets(events, 3, 1_200_000))
    }
    const jitter = 4 / Math.sqrt(12)
    expect(rms(all)).toBeLessThan(jitter / 2)
    // The mean of many independent runs: its standard error is far below 0.05 ms.
    expect(Math.abs(mean(all))).toBeLessThan(0.05)
    expect(Math.max(...all.map(Math.abs))).toBeLessThan(2)
  })

  // Asymmetric delays: client → server 1-2 ms, server → client 5-6 ms. Every exchange
  // then misses by (d_out − d_in)/2 ∈ [(1 − 6)/2, (2 − 5)/2] = [−2.5, −1.5]: the client
  // takes the server to be that much behind, and its clock settles that much behind
  // true time, about half the asymmetry of the paths, −2 ms, as theory says: no
  // exchange can tell asymmetry from offset.
  it('asymmetric paths (1-2 ms out, 5-6 ms back): the error approaches half the asymmetry, −2 ms', () => {
    const all: number[] = []
    for (const seed of seeds) {
      const events = run({
        algorithm: 'ntp',
        nodes: 4,
        seed,
        until: 1_800_000,
        params: { servers: 3, stratumDepth: 2 },
        network: {
          default: { delay: { dist: 'uniform', min: 1, max: 2 } },
          links: [0, 1, 2].map((from) => ({
            from,
            to: 3,
            delay: { dist: 'uniform' as const, min: 5, max: 6 },
          })),
        },
        clocks: { nodes: { ...servers, '3': client } },
      })
      all.push(...offsets(events, 3, 1_200_000))
    }
    expect(Math.abs(mean(all) - -2)).toBeLessThan(0.05)
    expect(Math.min(...all)).toBeGreaterThanOrEqual(-2.5)
    expect(Math.max(...all)).toBeLessThanOrEqual(-1.5)
  })
})

describe('RBS', () => {
  /** A run's relative estimates, keyed by (node, peer, beacon order). */
  function rbsRun(seed: number, sendJitterMs: number): { rows: SampleRow[]; misses: number[] } {
    const events = run({
      algorithm: 'rbs',
      nodes: 4,
      seed,
      until: 30_000,
      params: { periodMs: 1000, window: 8, sendJitterMs },
      network: { default: { delay: { dist: 'uniform', min: 1, max: 3 } } },
      clocks: { default: { offsetBoundMs: 100, skewBoundPpm: 50 } },
    })
    const tracks = new OffsetTracks(4, events)
    const rows = clockSamples(events)
    return { rows, misses: rows.map((r) => sampleError(r, tracks)!) }
  }

  // The sender's send-time jitter J delays a beacon equally for every receiver: both
  // arrival times of a pair move by J (times each clock's rate), so the pair moves
  // along the fitted line, off it only by J times the line's slope error (the clocks'
  // relative rate, ≤ 100 ppm here, plus the fit's own, ~100 ppm from 0.8 ms of noise
  // over 7 s). A line's prediction at its newest point weighs the points by at most
  // 2.5 in sum (n = 8), so an estimate moves by under 20 ms × 300 ppm × 2.5 = 15 µs,
  // against misses of about 0.5 ms and a jitter of 20 ms. (The network draws the same
  // delays in both runs: jitter never reorders sends at a 1 s period.)
  it("the estimates do not depend on the sender's send-time jitter", () => {
    for (const seed of seeds) {
      const still = rbsRun(seed, 0)
      const jittery = rbsRun(seed, 20)
      expect(jittery.rows.map((r) => [r.node, r.peer])).toEqual(
        still.rows.map((r) => [r.node, r.peer]),
      )
      jittery.rows.forEach((r, k) =>
        expect(Math.abs(r.estimate - still.rows[k].estimate)).toBeLessThan(0.015),
      )
    }
  })

  // Each beacon gives the pair's offset up to the difference of the two receive
  // delays, d_i − d_j, with d uniform 1-3 ms: standard deviation σ = √2 · 2/√12 =
  // 0.816 ms. A least-squares line through n = 8 evenly spaced beacons, read at the
  // newest, has standard error σ·√(1/n + 3(n − 1)/(n(n + 1))) = 0.645 σ = 0.527 ms.
  // Over many seeds the RMS miss of full-window estimates must match that within 10%.
  it('with a full window the RMS miss matches the regression theory, 0.53 ms', () => {
    const misses: number[] = []
    for (const seed of seeds) {
      const { rows, misses: m } = rbsRun(seed, 20)
      rows.forEach((r, k) => r.time > 10_000 && misses.push(m[k]))
    }
    const n = 8
    const theory =
      Math.SQRT2 * (2 / Math.sqrt(12)) * Math.sqrt(1 / n + (3 * (n - 1)) / (n * (n + 1)))
    expect(rms(misses) / theory).toBeGreaterThan(0.9)
    expect(rms(misses) / theory).toBeLessThan(1.1)
  })
})
