// Cristian, Berkeley and RBS driven by the simulator on their shipped scenarios
// and small runs: what each rule does, event by event (the accuracy they reach
// over many seeds is in accuracy.test.ts).
import { describe, expect, it } from 'vitest'
import { largestAgreeingGroup } from '../../../src/algorithms/sync/berkeley'
import { fitLine } from '../../../src/algorithms/sync/fit'
import type { ProcessEvent, TraceEvent } from '../../../src/core/trace'
import { notesOf } from '../../../src/core/trace'
import { loadScenarioFile } from '../../../src/lab/scenarios'
import { clockSamples, OffsetTracks, sampleError } from '../../../src/lab/metrics/sync'
import { runScenario } from '../../../src/sim/run'
import { ScenarioSchema, type ScenarioInput } from '../../../src/sim/scenario'

function run(input: ScenarioInput | string): TraceEvent[] {
  const scenario =
    typeof input === 'string'
      ? loadScenarioFile(`resources/scenarios/${input}.yaml`)
      : ScenarioSchema.parse({ workload: false, ...input })
  const events: TraceEvent[] = []
  runScenario(scenario, { sinks: [(e) => events.push(e)] })
  return events
}

const processEvents = (events: TraceEvent[]) => events.filter((e): e is ProcessEvent => 'node' in e)

describe('Cristian', () => {
  const events = run('sync-cristian')

  it('rejects replies whose round trip exceeds the bound, and keeps the others', () => {
    const rejects = processEvents(events).flatMap((e) =>
      notesOf<{ rtt: number; rttMax: number }>(e, 'cristian.reject').map((r) => ({ ...r, e })),
    )
    expect(rejects.length).toBeGreaterThan(0)
    for (const r of rejects) {
      expect(r.e.node).toBe(3)
      expect(r.rtt).toBeGreaterThan(20)
    }
    const kept = clockSamples(events).filter((r) => r.node === 3)
    expect(kept.length).toBeGreaterThan(0)
    // A kept sample's bound is at most half the largest accepted round trip, plus drift.
    for (const r of kept) expect(r.error).toBeLessThanOrEqual(10.01)
  })

  it('a server without a reference serves its own clock: clients follow it, not true time', () => {
    const e = run({
      algorithm: 'cristian',
      nodes: 2,
      until: 30_000,
      params: { periodMs: 10_000 },
      network: { default: { delay: { dist: 'constant', ms: 2 } } },
      clocks: { nodes: { '0': { offset: 500 } } },
    })
    const last = processEvents(e)
      .filter((x) => x.node === 1)
      .at(-1)!
    expect(last.local - last.time!).toBeCloseTo(500, 6)
  })
})

describe('Berkeley', () => {
  it('the fault-tolerant average takes the largest group within the tolerance', () => {
    expect(largestAgreeingGroup([0, 5000, -30, 20, -10], 60).sort()).toEqual([0, 2, 3, 4])
    expect(largestAgreeingGroup([0, 30, 100], 20)).toEqual([0])
  })

  const events = run('sync-berkeley')
  const notes = processEvents(events).flatMap((e) =>
    notesOf<{ master: boolean; members?: number[]; outliers?: number[] }>(e, 'berkeley.master')
      .map((n) => ({ kind: 'master', node: e.node, time: e.time!, ...n }))
      .concat(
        notesOf<{ members: number[]; outliers: number[] }>(e, 'berkeley.average').map((n) => ({
          kind: 'average',
          node: e.node,
          time: e.time!,
          master: true,
          ...n,
        })),
      ),
  )

  it('leaves the clock 5 s off out of the first average, and adjusts it onto the others', () => {
    const first = notes.find((n) => n.kind === 'average')!
    expect(first.members).toEqual([0, 1, 2, 3])
    expect(first.outliers).toEqual([4])
    const tracks = new OffsetTracks(5, events)
    expect(Math.abs(tracks.offsetAt(4, 20_000)! - tracks.offsetAt(0, 20_000)!)).toBeLessThan(20)
  })

  it('when the master crashes the next id takes over, and steps down when node 0 is back', () => {
    const masters = notes.filter((n) => n.kind === 'master')
    expect(masters.map((n) => [n.node, n.master])).toEqual([
      [0, true],
      [1, true],
      [0, true],
      [1, false],
    ])
    // Node 1 waited 30 s of silence after node 0's last poll (at 30.5 s), plus its stagger.
    expect(masters[1].time).toBeGreaterThan(60_000)
    expect(masters[1].time).toBeLessThan(62_000)
  })

  it('the nodes agree with each other (within a few ms), not with true time', () => {
    const tracks = new OffsetTracks(5, events)
    const t = 115_000
    const offsets = [0, 1, 2, 3, 4].map((n) => tracks.offsetAt(n, t)!)
    expect(Math.max(...offsets) - Math.min(...offsets)).toBeLessThan(6)
  })
})

describe('RBS', () => {
  it('fitLine recovers an exact line and reports no miss', () => {
    const pts: [number, number][] = [1, 2, 3, 4].map((x) => [x * 1000, 7 + x * 1000 * 1.0001])
    const { a, b, maxResidual } = fitLine(pts)
    expect(b).toBeCloseTo(1.0001, 12)
    expect(a).toBeCloseTo(7, 6)
    expect(maxResidual).toBeLessThan(1e-9)
  })

  const events = run('sync-rbs')

  it('changes no clock: receivers only estimate', () => {
    for (const e of processEvents(events))
      for (const kind of ['clock.step', 'clock.slew', 'clock.frequency'])
        expect(notesOf(e, kind)).toEqual([])
  })

  it('estimates every receiver pair both ways, each within a few ms of the true relative offset', () => {
    const tracks = new OffsetTracks(5, events)
    const rows = clockSamples(events)
    const pairs = new Set(rows.map((r) => `${r.node}-${r.peer}`))
    expect(pairs.size).toBe(4 * 3)
    // Each pair's difference errs by at most the spread of the receive delays (3 − 1 = 2 ms);
    // a least-squares line read at its newest point weighs its points by at most 1.5 in sum
    // (8 points; 4/3 for 3), so no estimate misses by more than 3 ms (and a hair of drift).
    for (const r of rows) expect(Math.abs(sampleError(r, tracks)!)).toBeLessThan(3.01)
  })

  it('its regression slope gives the relative skew, to within the slope noise', () => {
    // Node 1 runs 40 ppm fast, node 2 25 ppm slow: 65 ppm apart. With receive delays of
    // 1-1.1 ms a pair's difference has σ = √2 · 0.1/√12 = 0.041 ms; over 8 beacons 1 s
    // apart the slope's standard error is σ / √(Σ(x − x̄)²) = 0.041 ms / 6.5 s = 6 ppm.
    const e = run({
      algorithm: 'rbs',
      nodes: 3,
      until: 20_000,
      network: { default: { delay: { dist: 'uniform', min: 1, max: 1.1 } } },
      clocks: { nodes: { '1': { skewPpm: 40 }, '2': { skewPpm: -25 } } },
    })
    const skews = processEvents(e)
      .filter((x) => x.node === 1)
      .flatMap((x) => notesOf<{ peer: number; ppm: number }>(x, 'rbs.skew'))
    expect(skews.length).toBeGreaterThan(10)
    for (const s of skews.slice(-5)) expect(Math.abs(s.ppm - 65)).toBeLessThan(30)
  })
})
